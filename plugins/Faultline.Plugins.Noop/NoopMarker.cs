using System.Text.Json;

namespace Faultline.Plugins.Noop;

/// <summary>
/// The whole of a noop fault: <c>noop-&lt;faultId&gt;.json</c> in the plugin's state directory. Written before
/// inject does anything else and deleted by rollback, so it is what verify measures and what leftover detection
/// finds after a crash, a failed inject or a cancelled one.
/// </summary>
internal sealed record NoopMarker(
    string FaultId,
    Guid RunId,
    string TargetKind,
    string TargetId,
    bool FailVerify,
    DateTimeOffset InjectedAt,
    DateTimeOffset ExpiresAt)
{
    private const string Prefix = "noop-";
    private const string Suffix = ".json";

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    /// <summary>
    /// The fault id becomes part of a file name: a separator, "..", or a control character could reach outside
    /// the state directory, so only a conservative alphabet is accepted (and never a leading dot).
    /// </summary>
    public static bool IsSafeFaultId(string? faultId) =>
        faultId is { Length: > 0 and <= 200 } && faultId[0] != '.' &&
        faultId.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.');

    public static string PathFor(string stateDirectory, string faultId) => Path.Combine(stateDirectory, Prefix + faultId + Suffix);

    public bool IsOn(string kind, string id) => TargetKind == kind && TargetId == id;

    /// <summary>Written to a temporary file and renamed, so a reader never sees half a marker.</summary>
    public void Save(string stateDirectory)
    {
        Directory.CreateDirectory(stateDirectory);
        var path = PathFor(stateDirectory, FaultId);
        var temporary = path + ".tmp";
        File.WriteAllText(temporary, JsonSerializer.Serialize(this, Json));
        File.Move(temporary, path, overwrite: true);
    }

    /// <summary>The marker of one fault, or null when there is none (or it cannot be read as one).</summary>
    public static NoopMarker? Read(string stateDirectory, string faultId)
    {
        if (!IsSafeFaultId(faultId))
        {
            return null;
        }

        var marker = TryLoad(PathFor(stateDirectory, faultId));

        // A marker whose content names another fault was not written by this injector for this id.
        return marker?.FaultId == faultId ? marker : null;
    }

    /// <summary>Every readable marker whose content agrees with its file name.</summary>
    public static IReadOnlyList<NoopMarker> All(string stateDirectory)
    {
        if (!Directory.Exists(stateDirectory))
        {
            return [];
        }

        var markers = new List<NoopMarker>();
        foreach (var file in Directory.EnumerateFiles(stateDirectory, Prefix + "*" + Suffix))
        {
            if (TryLoad(file) is { } marker && IsSafeFaultId(marker.FaultId) &&
                string.Equals(Path.GetFileName(file), Prefix + marker.FaultId + Suffix, StringComparison.Ordinal))
            {
                markers.Add(marker);
            }
        }

        return markers;
    }

    private static NoopMarker? TryLoad(string path)
    {
        try
        {
            return File.Exists(path) ? JsonSerializer.Deserialize<NoopMarker>(File.ReadAllText(path), Json) : null;
        }
        catch (Exception exception) when (exception is JsonException or IOException or UnauthorizedAccessException)
        {
            // A marker that cannot be read cannot be attributed; it stays for an operator to see.
            return null;
        }
    }
}
