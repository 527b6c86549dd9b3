namespace Faultline.Agent.Tests;

/// <summary>
/// A private plugin search path holding copies of the staged noop plugin and the misbehaving fixture, plus a
/// private state directory: each test's agent sees only these and writes only there. Both go on dispose.
/// </summary>
public sealed class PluginFolder : IDisposable
{
    public PluginFolder()
    {
        Copy(Path.Combine(RepositoryRoot.Path, "artifacts", "plugins", "faultline.noop"));
        Copy(Path.Combine(RepositoryRoot.Path, "artifacts", "plugin-fixtures", "fixture.misbehaving"));
    }

    public string SearchPath { get; } = Directory.CreateTempSubdirectory("faultline-agent-plugins-").FullName;

    public string StateDirectory { get; } = Directory.CreateTempSubdirectory("faultline-agent-state-").FullName;

    public string JournalDirectory => Path.Combine(StateDirectory, "agent", "journal");

    /// <summary>Where the noop plugin keeps the marker that is the whole of a noop fault.</summary>
    public string NoopMarker(string faultId) => Path.Combine(StateDirectory, "plugins", "faultline.noop", $"noop-{faultId}.json");

    public void Dispose()
    {
        Directory.Delete(SearchPath, recursive: true);
        Directory.Delete(StateDirectory, recursive: true);
    }

    private void Copy(string staged)
    {
        Assert.True(File.Exists(Path.Combine(staged, "faultline-plugin.json")), $"{staged} is not staged: build the plugin project first.");
        var folder = Path.Combine(SearchPath, Path.GetFileName(staged));
        Directory.CreateDirectory(folder);
        foreach (var file in Directory.GetFiles(staged))
        {
            File.Copy(file, Path.Combine(folder, Path.GetFileName(file)));
        }
    }
}
