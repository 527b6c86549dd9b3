namespace Faultline.Engine.Plugins;

/// <summary>Where plugins are found, where they keep state, and how long each kind of call may take.</summary>
public sealed class PluginHostOptions
{
    /// <summary>Folders whose sub-folders are plugins (each with a faultline-plugin.json).</summary>
    public IReadOnlyList<string> SearchPaths { get; init; } = [Path.Combine(AppContext.BaseDirectory, "plugins")];

    /// <summary>Root of the per-plugin state directories (journals, markers) that survive restarts.</summary>
    public string StateRoot { get; init; } = Path.Combine(Path.GetTempPath(), "faultline-plugin-state");

    /// <summary>
    /// The state directory of a plugin, by id: by default a folder of <see cref="StateRoot"/>. The CLI's one-shot
    /// rollback points it at the directory the fault was injected with.
    /// </summary>
    public Func<string, string>? StateDirectoryOf { get; init; }

    /// <summary>Settings per plugin id, handed to the plugin at registration.</summary>
    public IReadOnlyDictionary<string, IReadOnlyDictionary<string, string>> Settings { get; init; } =
        new Dictionary<string, IReadOnlyDictionary<string, string>>();

    public PluginTimeouts Timeouts { get; init; } = new();
}

public sealed class PluginTimeouts
{
    public TimeSpan Register { get; init; } = TimeSpan.FromSeconds(10);

    public TimeSpan Validate { get; init; } = TimeSpan.FromSeconds(5);

    public TimeSpan Inject { get; init; } = TimeSpan.FromSeconds(30);

    public TimeSpan Verify { get; init; } = TimeSpan.FromSeconds(10);

    public TimeSpan Rollback { get; init; } = TimeSpan.FromSeconds(30);

    public TimeSpan Leftovers { get; init; } = TimeSpan.FromSeconds(10);

    public TimeSpan Query { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>A host probe tries each engine in a scratch place once; a hung tool must not hold the start.</summary>
    public TimeSpan HostProbe { get; init; } = TimeSpan.FromSeconds(30);
}
