namespace Faultline.Sdk.Plugins;

/// <summary>
/// What the host gives a plugin: its own folder (for bundled files), settings from the host's configuration
/// (<c>Faultline:Plugins:&lt;id&gt;:*</c>), a state directory that survives restarts (journals, markers), and a log.
/// </summary>
public sealed record PluginContext(
    string PluginDirectory,
    string StateDirectory,
    IReadOnlyDictionary<string, string> Settings,
    IPluginLog Log);
