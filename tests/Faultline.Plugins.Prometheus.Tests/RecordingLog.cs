using System.Collections.Concurrent;
using Faultline.Sdk.Plugins;

namespace Faultline.Plugins.Prometheus.Tests;

/// <summary>A plugin log that keeps what it is told, for the warnings Prometheus attaches to answers.</summary>
internal sealed class RecordingLog : IPluginLog
{
    private readonly ConcurrentQueue<string> _lines = new();

    public IReadOnlyList<string> Lines => [.. _lines];

    public void Info(string message) => _lines.Enqueue("info: " + message);

    public void Warn(string message) => _lines.Enqueue("warn: " + message);

    public void Fail(string message, Exception? exception = null) => _lines.Enqueue("fail: " + message);
}
