using Faultline.Engine.Cluster;
using Microsoft.Extensions.Logging;

namespace Faultline.Engine.Runs;

/// <summary>
/// One node of the engine: joins the cluster (heartbeats), drives runs (<see cref="RunDispatcher"/>) and fires
/// schedules (<see cref="ExperimentScheduler"/>). Stopping it rolls back and closes the runs it drives, then
/// leaves the cluster; a node that dies instead is found by its lapsed leases and its runs are taken over.
/// </summary>
public sealed class EngineNode(
    ClusterMembership membership, RunDispatcher dispatcher, ExperimentScheduler scheduler, EngineOptions options, ILogger<EngineNode> logger) : IAsyncDisposable
{
    private readonly CancellationTokenSource _stopping = new();
    private Task _loops = Task.CompletedTask;
    private readonly TaskCompletionSource _joined = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private bool _started;

    /// <summary>Completes once the node has joined the cluster and its loops run.</summary>
    public Task Started => _joined.Task;

    public Guid NodeId => membership.NodeId;

    public RunDispatcher Dispatcher => dispatcher;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await membership.StartAsync(cancellationToken);
        _started = true;
        if (options.Enabled)
        {
            _loops = Task.WhenAll(
                Task.Run(() => dispatcher.RunAsync(_stopping.Token), CancellationToken.None),
                Task.Run(() => ScheduleAsync(_stopping.Token), CancellationToken.None));
        }

        _joined.TrySetResult();
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (!_started)
        {
            return;
        }

        _started = false;
        await _stopping.CancelAsync();
        await _loops;
        await membership.StopAsync(cancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync(CancellationToken.None);
        _stopping.Dispose();
        dispatcher.Dispose();
    }

    private async Task ScheduleAsync(CancellationToken stopping)
    {
        while (!stopping.IsCancellationRequested)
        {
            try
            {
                if ((await scheduler.TickAsync(stopping)).Count > 0)
                {
                    dispatcher.Wake();
                }

                await Task.Delay(options.PollInterval, stopping);
            }
            catch (OperationCanceledException) when (stopping.IsCancellationRequested)
            {
                return;
            }
#pragma warning disable CA1031 // A database hiccup must not stop the schedules for good.
            catch (Exception exception)
#pragma warning restore CA1031
            {
                logger.LogWarning(exception, "Firing schedules failed; retrying");
                await Task.Delay(options.PollInterval, CancellationToken.None);
            }
        }
    }
}
