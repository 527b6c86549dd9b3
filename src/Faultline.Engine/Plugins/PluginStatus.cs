namespace Faultline.Engine.Plugins;

public enum PluginStatus
{
    /// <summary>Loaded and registered; its components are in use.</summary>
    Loaded,

    /// <summary>Built for an SDK contract range that excludes the host's contract version.</summary>
    Incompatible,

    /// <summary>Could not be loaded (bad manifest, missing dependency, threw while registering).</summary>
    Failed,
}
