namespace Faultline.Sdk.Plugins;

/// <summary>The host's log, without tying plugins to a logging library.</summary>
public interface IPluginLog
{
    void Info(string message);

    void Warn(string message);

    void Fail(string message, Exception? exception = null);
}
