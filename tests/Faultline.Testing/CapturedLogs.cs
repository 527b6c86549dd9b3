using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Faultline.Testing;

/// <summary>
/// Every log line a test server writes, as text (message, exception, structured values and scopes), so a test
/// can assert that something never reached a log.
/// </summary>
public sealed class CapturedLogs : ILoggerProvider
{
    private readonly ConcurrentQueue<string> _lines = new();

    public IReadOnlyList<string> Lines => [.. _lines];

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void Dispose()
    {
    }

    private sealed class Logger(CapturedLogs owner, string category) : ILogger
    {
        private static readonly AsyncLocal<List<object?>> Scopes = new();

        public IDisposable BeginScope<TState>(TState state)
            where TState : notnull
        {
            var scopes = Scopes.Value ??= [];
            scopes.Add(state);
            return new Scope(scopes, state);
        }

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            var values = state is IEnumerable<KeyValuePair<string, object?>> pairs ? string.Join(", ", pairs.Select(p => $"{p.Key}={p.Value}")) : "";
            var scopes = string.Join(" => ", (Scopes.Value ?? []).Select(s => s is IEnumerable<KeyValuePair<string, object?>> kv ? string.Join(", ", kv.Select(p => $"{p.Key}={p.Value}")) : s?.ToString()));
            owner._lines.Enqueue($"{logLevel} {category}: {formatter(state, exception)} | {values} | {scopes} | {exception}");
        }

        private sealed class Scope(List<object?> scopes, object? state) : IDisposable
        {
            public void Dispose() => scopes.Remove(state);
        }
    }
}
