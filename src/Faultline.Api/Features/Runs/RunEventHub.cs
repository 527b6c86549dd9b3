using System.Collections.Concurrent;
using Faultline.Storage.Cluster;
using Faultline.Storage.Runs;

namespace Faultline.Api.Features.Runs;

/// <summary>
/// Wakes event streams when a run's timeline grows, whichever node wrote it: one LISTEN per node on
/// <see cref="RunChannels.Events"/>, fanned out to the streams of that run. Streams also re-read on a short
/// timer, so a missed notification only delays an event.
/// </summary>
public sealed class RunEventHub(ClusterNotifications notifications, IHostApplicationLifetime lifetime) : IDisposable
{
    private readonly ConcurrentDictionary<Guid, List<TaskCompletionSource>> _waiters = new();
    private readonly Lock _start = new();
    private CancellationTokenSource? _listening;

    /// <summary>Completes when the run's timeline may have grown, or after <paramref name="timeout"/>.</summary>
    public async Task WaitAsync(Guid runId, TimeSpan timeout, CancellationToken cancellationToken)
    {
        EnsureListening();
        var waiter = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var list = _waiters.GetOrAdd(runId, _ => []);
        lock (list)
        {
            list.Add(waiter);
        }

        try
        {
            await waiter.Task.WaitAsync(timeout, cancellationToken);
        }
        catch (TimeoutException)
        {
        }
        finally
        {
            lock (list)
            {
                list.Remove(waiter);
            }
        }
    }

    public void Dispose()
    {
        _listening?.Cancel();
        _listening?.Dispose();
    }

    private void EnsureListening()
    {
        lock (_start)
        {
            if (_listening is not null)
            {
                return;
            }

            _listening = CancellationTokenSource.CreateLinkedTokenSource(lifetime.ApplicationStopping);
            var token = _listening.Token;
            _ = Task.Run(async () =>
            {
                try
                {
                    await notifications.ListenAsync(RunChannels.Events, payload =>
                    {
                        if (Guid.TryParse(payload, out var runId) && _waiters.TryGetValue(runId, out var list))
                        {
                            lock (list)
                            {
                                foreach (var waiter in list)
                                {
                                    waiter.TrySetResult();
                                }
                            }
                        }

                        return Task.CompletedTask;
                    }, token);
                }
                catch (OperationCanceledException)
                {
                }
            }, CancellationToken.None);
        }
    }
}
