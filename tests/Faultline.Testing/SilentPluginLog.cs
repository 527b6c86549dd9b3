using Faultline.Sdk.Plugins;

namespace Faultline.Testing;

/// <summary>A plugin log that drops everything, for tests that assert on effects, not on log lines.</summary>
public sealed class SilentPluginLog : IPluginLog
{
    public void Info(string message)
    {
    }

    public void Warn(string message)
    {
    }

    public void Fail(string message, Exception? exception = null)
    {
    }
}
