namespace Faultline.Plugins.Network.Engines;

/// <summary>
/// One file per fault in the plugin's state directory, written before anything is applied and deleted after a
/// proven removal. It is how a fault is found after a crash when the kernel object itself cannot say whose it
/// is (a tc qdisc has no comment), and how the injector knows what it applied when the engine is asked later.
/// </summary>
public sealed class FaultJournal(string directory)
{
    private readonly string _directory = Path.Combine(directory, "faults");

    public void Write(EngineState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        Directory.CreateDirectory(_directory);
        var path = PathOf(state.FaultId);
        var temporary = path + ".tmp";
        File.WriteAllText(temporary, state.ToText());
        File.Move(temporary, path, overwrite: true);
    }

    /// <summary>Forgets a removed fault; a journal that is already gone (or never written) is fine.</summary>
    public void Delete(string faultId)
    {
        var path = PathOf(faultId);
        if (File.Exists(path))
        {
            File.Delete(path);
        }
    }

    public EngineState? Find(string faultId) => File.Exists(PathOf(faultId)) ? EngineState.FromText(File.ReadAllText(PathOf(faultId))) : null;

    public IEnumerable<EngineState> All() =>
        Directory.Exists(_directory)
            ? Directory.EnumerateFiles(_directory, "*.json").Select(file => EngineState.FromText(File.ReadAllText(file))).OfType<EngineState>()
            : [];

    // Fault ids come from the engine (run id and a sequence); anything else is refused before it reaches a path.
    private string PathOf(string faultId) =>
        faultId.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.') && faultId.Length is > 0 and <= 200 && faultId[0] != '.'
            ? Path.Combine(_directory, faultId + ".json")
            : throw new ArgumentException($"'{faultId}' cannot name a journal file.", nameof(faultId));
}
