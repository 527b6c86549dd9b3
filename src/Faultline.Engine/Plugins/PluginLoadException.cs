namespace Faultline.Engine.Plugins;

/// <summary>A plugin could not be loaded; the message is shown at GET /api/v1/plugins.</summary>
public sealed class PluginLoadException : Exception
{
    public PluginLoadException()
    {
    }

    public PluginLoadException(string message)
        : base(message)
    {
    }

    public PluginLoadException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
