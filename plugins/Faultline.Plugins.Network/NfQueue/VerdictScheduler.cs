using System.Diagnostics;
using System.Runtime.InteropServices;

namespace Faultline.Plugins.Network.NfQueue;

/// <summary>
/// Holds packet ids until their due time (Stopwatch timestamps) and then accepts them, earliest first. A dedicated
/// thread sleeps on a wait handle until a millisecond before the earliest due time and spins the rest, because a
/// timed wait alone wakes up to a scheduler tick late; all packets due by the time it wakes go in one send.
/// </summary>
internal sealed class VerdictScheduler : IDisposable
{
    private static readonly long SpinWindow = Stopwatch.Frequency / 1000;

    private readonly IVerdictSender _sender;
    private readonly Action<Exception> _onFault;
    private readonly PriorityQueue<uint, long> _held = new();
    private readonly Lock _gate = new();
    private readonly AutoResetEvent _wake = new(initialState: false);
    private readonly Thread _thread;
    private volatile bool _stopping;
    private bool _released;
    private long _verdictsSent;
    private long _onTimeVerdicts;
    private long _latenessTicks;
    private long _maxLatenessTicks;

    /// <param name="sender">Where due packets are accepted.</param>
    /// <param name="onFault">Told when sending failed and the thread stopped; the held packets stay held for <see cref="StopAndReleaseAll"/>.</param>
    /// <param name="name">The thread's name, for dumps.</param>
    public VerdictScheduler(IVerdictSender sender, Action<Exception> onFault, string name)
    {
        _sender = sender;
        _onFault = onFault;
        _thread = new Thread(Run) { IsBackground = true, Name = name };
    }

    /// <summary>Packets held right now.</summary>
    public int Depth
    {
        get
        {
            lock (_gate)
            {
                return _held.Count;
            }
        }
    }

    public long VerdictsSent => Interlocked.Read(ref _verdictsSent);

    /// <summary>Mean delay of a scheduled verdict past its due time (the releases at stop are early, not counted).</summary>
    public TimeSpan MeanLateness
    {
        get
        {
            var verdicts = Interlocked.Read(ref _onTimeVerdicts);
            return verdicts == 0 ? TimeSpan.Zero : ToTimeSpan(Interlocked.Read(ref _latenessTicks) / (double)verdicts);
        }
    }

    public TimeSpan MaxLateness => ToTimeSpan(Interlocked.Read(ref _maxLatenessTicks));

    public void Start() => _thread.Start();

    /// <summary>Holds <paramref name="packetId"/> until <paramref name="dueTimestamp"/>; after the release, accepts it at once.</summary>
    public void Hold(uint packetId, long dueTimestamp)
    {
        bool earliest;
        lock (_gate)
        {
            if (!_released)
            {
                earliest = !_held.TryPeek(out _, out var currentDue) || dueTimestamp < currentDue;
                _held.Enqueue(packetId, dueTimestamp);
                if (earliest)
                {
                    _wake.Set();
                }

                return;
            }
        }

        _sender.Accept([packetId]);
        Interlocked.Increment(ref _verdictsSent);
    }

    /// <summary>
    /// Stops the thread and accepts every held packet now, due or not: a delayer going away lets its packets go
    /// early rather than leave them to the kernel, which drops what is still queued when the queue is unbound.
    /// </summary>
    public void StopAndReleaseAll()
    {
        _stopping = true;
        _wake.Set();
        if (_thread.IsAlive && _thread != Thread.CurrentThread)
        {
            _thread.Join();
        }

        uint[] remaining;
        lock (_gate)
        {
            _released = true;
            remaining = new uint[_held.Count];
            for (var index = 0; index < remaining.Length; index++)
            {
                remaining[index] = _held.Dequeue();
            }
        }

        if (remaining.Length > 0)
        {
            _sender.Accept(remaining);
            Interlocked.Add(ref _verdictsSent, remaining.Length);
        }
    }

    public void Dispose()
    {
        _stopping = true;
        _wake.Set();
        if (_thread.IsAlive && _thread != Thread.CurrentThread)
        {
            _thread.Join();
        }

        _wake.Dispose();
    }

    private static TimeSpan ToTimeSpan(double stopwatchTicks) => TimeSpan.FromSeconds(stopwatchTicks / Stopwatch.Frequency);

    private void Run()
    {
        var batch = new List<uint>();
        var dues = new List<long>();
        try
        {
            while (!_stopping)
            {
                long due;
                lock (_gate)
                {
                    due = _held.TryPeek(out _, out var earliest) ? earliest : long.MaxValue;
                }

                if (due == long.MaxValue)
                {
                    _wake.WaitOne();
                    continue;
                }

                var remaining = due - Stopwatch.GetTimestamp();
                if (remaining > SpinWindow)
                {
                    // Woken early by an earlier packet, or on time: either way look at the queue again.
                    _wake.WaitOne(ToTimeSpan(remaining - SpinWindow));
                    continue;
                }

                var spinner = default(SpinWait);
                while (Stopwatch.GetTimestamp() < due && !_stopping)
                {
                    spinner.SpinOnce(sleep1Threshold: -1);
                }

                ReleaseDue(batch, dues);
            }
        }
#pragma warning disable CA1031 // Whatever broke, the delayer must hear of it and fail open; the thread ends here.
        catch (Exception exception)
#pragma warning restore CA1031
        {
            _onFault(exception);
        }
    }

    private void ReleaseDue(List<uint> batch, List<long> dues)
    {
        var now = Stopwatch.GetTimestamp();
        lock (_gate)
        {
            while (_held.TryPeek(out var packetId, out var due) && due <= now)
            {
                _held.Dequeue();
                batch.Add(packetId);
                dues.Add(due);
            }
        }

        if (batch.Count == 0)
        {
            return;
        }

        try
        {
            _sender.Accept(CollectionsMarshal.AsSpan(batch));
        }
        catch
        {
            // Not sent: back in the queue, so the release at stop tries them again rather than forgetting them.
            lock (_gate)
            {
                for (var index = 0; index < batch.Count; index++)
                {
                    _held.Enqueue(batch[index], dues[index]);
                }
            }

            throw;
        }

        // Measured after the send: the kernel re-injects accepted packets inside that system call.
        var sent = Stopwatch.GetTimestamp();
        long lateness = 0;
        var max = Interlocked.Read(ref _maxLatenessTicks);
        foreach (var due in dues)
        {
            lateness += sent - due;
            max = Math.Max(max, sent - due);
        }

        Interlocked.Exchange(ref _maxLatenessTicks, max);
        Interlocked.Add(ref _latenessTicks, lateness);
        Interlocked.Add(ref _onTimeVerdicts, batch.Count);
        Interlocked.Add(ref _verdictsSent, batch.Count);
        batch.Clear();
        dues.Clear();
    }
}
