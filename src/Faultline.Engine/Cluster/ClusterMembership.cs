using Microsoft.Extensions.Logging;

namespace Faultline.Engine.Cluster;

/// <summary>
/// This node's place in the cluster: registers it, heartbeats every interval from one loop (a slow
/// heartbeat delays the next instead of overlapping it), and marks it stopped on a clean shutdown so that
/// nobody mistakes the shutdown for a crash. Shaped like a hosted service without depending on hosting.
/// </summary>
/// <remarks>
/// Membership is for placement and for finding crashed nodes; it does not make anything safe. A node that
/// is silent, or even declared dead, can still believe it owns work: leases and fencing stop it writing.
/// </remarks>
public sealed class ClusterMembership(IMembershipTable table, ClusterMembershipOptions options, ILogger<ClusterMembership> logger)
    : IAsyncDisposable
{
    private readonly CancellationTokenSource _stopping = new();
    private Task? _heartbeats;
    private bool _stopped;

    public Guid NodeId { get; } = options.NodeId ?? Guid.CreateVersion7();

    public string Address => options.Address;

    /// <summary>Registers the node, then starts heartbeating. A node that cannot register fails to start.</summary>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(options.HeartbeatInterval, TimeSpan.Zero);
        if (_heartbeats is not null || _stopped)
        {
            throw new InvalidOperationException("Cluster membership starts once.");
        }

        await table.RegisterAsync(NodeId, Address, cancellationToken);
        logger.LogInformation("Node {NodeId} at {Address} joined the cluster", NodeId, Address);
        _heartbeats = HeartbeatAsync(_stopping.Token);
    }

    /// <summary>Stops heartbeating, then marks the node stopped: its absence is then a shutdown, not a death.</summary>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_stopped || _heartbeats is null)
        {
            return;
        }

        await StopHeartbeatsAsync();
        await table.MarkStoppedAsync(NodeId, cancellationToken);
        logger.LogInformation("Node {NodeId} left the cluster", NodeId);
    }

    /// <summary>
    /// Stops heartbeating without marking the node stopped: a node disposed without <see cref="StopAsync"/>
    /// goes silent and is found dead like a crashed one, which is what it is.
    /// </summary>
    public async ValueTask DisposeAsync()
    {
        await StopHeartbeatsAsync();
        _stopping.Dispose();
    }

    private async Task StopHeartbeatsAsync()
    {
        if (_stopped)
        {
            return;
        }

        _stopped = true;
        await _stopping.CancelAsync();
        if (_heartbeats is not null)
        {
            await _heartbeats;
        }
    }

    private async Task HeartbeatAsync(CancellationToken stopping)
    {
        // A periodic timer never queues a second tick behind a slow one, so heartbeats cannot overlap.
        using var timer = new PeriodicTimer(options.HeartbeatInterval);
        try
        {
            while (await timer.WaitForNextTickAsync(stopping))
            {
                try
                {
                    if (!await table.HeartbeatAsync(NodeId, stopping))
                    {
                        // Our row is gone or marked stopped by someone else: be visible again rather than silent.
                        logger.LogWarning("Node {NodeId} was not registered as running; registering again", NodeId);
                        await table.RegisterAsync(NodeId, Address, stopping);
                    }
                }
#pragma warning disable CA1031 // A failed heartbeat is retried on the next tick; leases, not heartbeats, keep the cluster safe.
                catch (Exception exception) when (exception is not OperationCanceledException || !stopping.IsCancellationRequested)
#pragma warning restore CA1031
                {
                    logger.LogWarning(exception, "Heartbeat of node {NodeId} failed", NodeId);
                }
            }
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
            // Stopping.
        }
    }
}
