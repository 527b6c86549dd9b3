using System.Collections.Concurrent;
using Faultline.Sdk.Plugins;

namespace Faultline.Plugins.Network.Tests.NfQueue;

/// <summary>The plugin log for tests: lines go to the test's output (the delayer's threads log too) and are kept for assertions.</summary>
internal sealed class RecordingPluginLog : IPluginLog
{
    private readonly ITestOutputHelper? _output = TestContext.Current.TestOutputHelper;

    public ConcurrentQueue<string> Lines { get; } = new();

    public void Info(string message) => Write("info", message);

    public void Warn(string message) => Write("warn", message);

    public void Fail(string message, Exception? exception = null) => Write("fail", exception is null ? message : $"{message} {exception}");

    private void Write(string level, string message)
    {
        var line = $"{level}: {message}";
        Lines.Enqueue(line);
        try
        {
            _output?.WriteLine(line);
        }
        catch (InvalidOperationException)
        {
            // The test already finished; the line stays in Lines.
        }
    }
}
