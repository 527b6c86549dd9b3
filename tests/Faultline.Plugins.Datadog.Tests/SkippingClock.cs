using System.Collections.Concurrent;

namespace Faultline.Plugins.Datadog.Tests;

/// <summary>
/// A clock whose waits end at once: every timer records how long it was asked to wait, moves the clock on by
/// that much and fires. Rate-limit and back-off waits of a minute then cost nothing, and what the provider
/// waited is read from <see cref="Waits"/> instead of being measured. (Request deadlines run on real time, so a
/// skipped wait never times a request out.)
/// </summary>
internal sealed class SkippingClock : TimeProvider
{
    private readonly ConcurrentQueue<TimeSpan> _waits = new();
    private long _ticks = DateTimeOffset.UtcNow.UtcTicks;

    public IReadOnlyList<TimeSpan> Waits => [.. _waits];

    public override DateTimeOffset GetUtcNow() => new(Interlocked.Read(ref _ticks), TimeSpan.Zero);

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        _waits.Enqueue(dueTime);
        Interlocked.Add(ref _ticks, dueTime.Ticks);

        // Fired after CreateTimer returns, as a real timer would be.
        ThreadPool.QueueUserWorkItem(_ => callback(state));
        return new FiredTimer();
    }

    private sealed class FiredTimer : ITimer
    {
        public bool Change(TimeSpan dueTime, TimeSpan period) => false;

        public void Dispose()
        {
        }

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}
