using Faultline.Sdk.Plugins;
using Microsoft.Extensions.Logging;

namespace Faultline.Engine.Plugins;

/// <summary>The host's logger, handed to a plugin under its own id.</summary>
internal sealed class PluginLog(ILogger logger, string pluginId) : IPluginLog
{
    public void Info(string message) => logger.LogInformation("[{PluginId}] {Message}", pluginId, message);

    public void Warn(string message) => logger.LogWarning("[{PluginId}] {Message}", pluginId, message);

    public void Fail(string message, Exception? exception = null) => logger.LogError(exception, "[{PluginId}] {Message}", pluginId, message);
}
