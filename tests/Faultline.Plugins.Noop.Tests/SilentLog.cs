using Faultline.Sdk.Plugins;

namespace Faultline.Plugins.Noop.Tests;

/// <summary>A plugin log that drops everything: these tests assert on effects, not on log lines.</summary>
internal sealed class SilentLog : IPluginLog
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
