namespace Faultline.Engine.Plugins;

/// <summary>A plugin call failed or did not finish in time. The message names the plugin, the call and the cause.</summary>
public sealed class PluginCallException : Exception
{
    public PluginCallException()
    {
    }

    public PluginCallException(string message)
        : base(message)
    {
    }

    public PluginCallException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public bool TimedOut { get; init; }
}
