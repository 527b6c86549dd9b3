using System.Collections.Concurrent;
using Faultline.Storage.Cluster;

namespace Faultline.Storage.Agents;

/// <summary>
/// One LISTEN per node on a channel whose payload is a key, fanned out to the waiters of that key. A waiter
/// registers before it reads the table, so a notification that arrives between its read and its wait is not lost.
/// Notifications only shorten waits: waiters re-read the table on a timer of their own as well.
/// </summary>
public sealed class NotificationSignals(ClusterNotifications notifications, string channel) : IDisposable
{
    private readonly ConcurrentDictionary<string, List<SemaphoreSlim>> _waiters = new(StringComparer.Ordinal);
    private readonly TaskCompletionSource _listening = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly CancellationTokenSource _stop = new();
    private readonly Lock _start = new();
    private bool _started;

    /// <summary>Registers interest in <paramref name="key"/>; dispose the answer to stop.</summary>
    public Registration Register(string key)
    {
        EnsureListening();
        var signal = new SemaphoreSlim(0, 1);
        var list = _waiters.GetOrAdd(key, _ => []);
        lock (list)
        {
            list.Add(signal);
        }

        return new Registration(this, key, signal);
    }

    /// <summary>Waits (at most <paramref name="timeout"/>) until LISTEN is in effect, so a first waiter is not left to the timer alone.</summary>
    public Task WhenListeningAsync(TimeSpan timeout, CancellationToken cancellationToken) =>
        _listening.Task.IsCompleted ? Task.CompletedTask : WaitQuietlyAsync(_listening.Task, timeout, cancellationToken);

    public void Dispose()
    {
        _stop.Cancel();
        _stop.Dispose();
    }

    private static async Task WaitQuietlyAsync(Task task, TimeSpan timeout, CancellationToken cancellationToken)
    {
        try
        {
            await task.WaitAsync(timeout, cancellationToken);
        }
        catch (TimeoutException)
        {
        }
    }

    private void Unregister(string key, SemaphoreSlim signal)
    {
        if (_waiters.TryGetValue(key, out var list))
        {
            lock (list)
            {
                list.Remove(signal);
            }
        }

        signal.Dispose();
    }

    private void Signal(string key)
    {
        if (!_waiters.TryGetValue(key, out var list))
        {
            return;
        }

        lock (list)
        {
            foreach (var signal in list)
            {
                try
                {
                    // One pending wake-up is enough: the waiter re-reads everything when it wakes.
                    if (signal.CurrentCount == 0)
                    {
                        signal.Release();
                    }
                }
                catch (SemaphoreFullException)
                {
                }
            }
        }
    }

    private void EnsureListening()
    {
        lock (_start)
        {
            if (_started)
            {
                return;
            }

            _started = true;
        }

        var token = _stop.Token;
        _ = Task.Run(async () =>
        {
            try
            {
                await notifications.ListenAsync(
                    channel,
                    payload =>
                    {
                        Signal(payload);
                        return Task.CompletedTask;
                    },
                    () =>
                    {
                        _listening.TrySetResult();

                        // LISTEN was off for a while: anything may have been missed, so every waiter re-reads.
                        foreach (var key in _waiters.Keys)
                        {
                            Signal(key);
                        }

                        return Task.CompletedTask;
                    },
                    token);
            }
            catch (OperationCanceledException)
            {
            }
        }, CancellationToken.None);
    }

    /// <summary>A waiter's interest in one key.</summary>
    public sealed class Registration(NotificationSignals owner, string key, SemaphoreSlim signal) : IDisposable
    {
        /// <summary>Completes with true when a notification for the key arrived, false after <paramref name="timeout"/>.</summary>
        public Task<bool> WaitAsync(TimeSpan timeout, CancellationToken cancellationToken) => signal.WaitAsync(timeout, cancellationToken);

        public void Dispose() => owner.Unregister(key, signal);
    }
}
