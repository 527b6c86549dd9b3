using System.Collections.Concurrent;
using System.Diagnostics;
using Faultline.Engine.Cluster;
using Faultline.Storage.Cluster;
using Faultline.Storage.Runs;
using Microsoft.Extensions.Logging;

namespace Faultline.Engine.Runs;

/// <summary>
/// A node's share of the run directory: claims runs that no live lease holds (new ones, and those of dead nodes)
/// up to the node's cap, activates one <see cref="RunActor"/> per claimed run, and forwards aborts and halts to
/// the actors it hosts. Woken by LISTEN/NOTIFY, polling as a backstop; every decision is re-read from the tables.
/// </summary>
public sealed class RunDispatcher(RunEngineServices services, ClusterNotifications notifications) : IDisposable
{
    private readonly ConcurrentDictionary<Guid, RunActor> _actors = new();
    private readonly ConcurrentDictionary<Guid, Task> _tasks = new();
    private readonly SemaphoreSlim _wake = new(0, int.MaxValue);
    private readonly ILogger _logger = services.LoggerFactory.CreateLogger<RunDispatcher>();
    private readonly LeaseKeeperOptions _leaseOptions = new() { Ttl = services.Options.LeaseTtl };
    private long _completedRuns;
    private long _completedRoundTrips;

    public Guid NodeId => services.NodeId;

    public int ActiveRuns => _actors.Count;

    /// <summary>Runs this node finished driving, and the database round-trips they made (for the benchmark).</summary>
    public (long Runs, long RoundTrips) Completed => (Interlocked.Read(ref _completedRuns), Interlocked.Read(ref _completedRoundTrips));

    public void Wake() => _wake.Release();

    public void Dispose() => _wake.Dispose();

    public async Task RunAsync(CancellationToken stopping)
    {
        using var listening = CancellationTokenSource.CreateLinkedTokenSource(stopping);
        var listener = ListenAsync(listening.Token);
        while (!stopping.IsCancellationRequested)
        {
            try
            {
                await ClaimAsync(stopping);
                await ForwardStopsAsync(stopping);
                if (services.Agents is { } agents)
                {
                    // Faults agents removed after their run closed: no owner will record them, any node may.
                    await agents.RecordForClosedRunsAsync(stopping);
                }
            }
            catch (OperationCanceledException) when (stopping.IsCancellationRequested)
            {
                break;
            }
#pragma warning disable CA1031 // The database may be briefly unreachable: keep the loop alive and try again.
            catch (Exception exception)
#pragma warning restore CA1031
            {
                _logger.LogWarning(exception, "Node {NodeId}: claiming runs failed; retrying", NodeId);
            }

            try
            {
                await _wake.WaitAsync(services.Options.PollInterval, stopping);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }

        // The actors saw the same token and are aborting: wait for their rollbacks, bounded.
        var running = _tasks.Values.ToList();
        _logger.LogInformation("Node {NodeId} stopping: rolling back {Count} run(s)", NodeId, running.Count);
        try
        {
            await Task.WhenAll(running).WaitAsync(services.Options.ShutdownTimeout, CancellationToken.None);
        }
        catch (TimeoutException)
        {
            _logger.LogError("Node {NodeId}: runs still rolling back after {Timeout}; their leases expire and other nodes reconcile them", NodeId, services.Options.ShutdownTimeout);
        }

        await listening.CancelAsync();
        await listener;
    }

    private async Task ListenAsync(CancellationToken token)
    {
        try
        {
            await notifications.ListenAsync(RunChannels.Work, OnNotificationAsync, () =>
            {
                Wake();
                return Task.CompletedTask;
            }, token);
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
        }
    }

    private async Task OnNotificationAsync(string payload)
    {
        if (payload == RunChannels.Halt || payload.StartsWith("abort:", StringComparison.Ordinal))
        {
            await ForwardStopsAsync(CancellationToken.None);
        }

        Wake();
    }

    private async Task ClaimAsync(CancellationToken stopping)
    {
        var free = services.Options.MaxConcurrentRuns - _actors.Count;
        if (free <= 0)
        {
            return;
        }

        var requestedAt = Stopwatch.GetTimestamp();
        var claimed = await services.Runs.ClaimAsync(NodeId, free, services.Options.LeaseTtl, stopping);
        foreach (var claim in claimed)
        {
            var lease = new ActorLease(claim.Lease.Kind, claim.Lease.Key, claim.Lease.Token, NodeId);
            var keeper = LeaseKeeper.Adopt(services.Leases, lease, requestedAt, _leaseOptions, services.LoggerFactory.CreateLogger<LeaseKeeper>());
            var actor = new RunActor(claim, keeper, services);
            _actors[claim.Run.Id] = actor;
            _logger.LogInformation("Node {NodeId} {Action} run {RunId} (lease token {Token})", NodeId, claim.IsTakeover ? "took over" : "claimed", claim.Run.Id, claim.Lease.Token);
            _tasks[claim.Run.Id] = Task.Run(() => DriveAsync(actor, stopping), CancellationToken.None);
        }
    }

    private async Task DriveAsync(RunActor actor, CancellationToken stopping)
    {
        try
        {
            await actor.RunAsync(stopping);
        }
#pragma warning disable CA1031 // One run's failure must not take the dispatcher down; its lease lapses and it is reconciled.
        catch (Exception exception)
#pragma warning restore CA1031
        {
            _logger.LogError(exception, "Run {RunId} failed on node {NodeId}; it will be reconciled by its next owner", actor.RunId, NodeId);
        }
        finally
        {
            Interlocked.Increment(ref _completedRuns);
            Interlocked.Add(ref _completedRoundTrips, actor.RoundTrips);
            _actors.TryRemove(actor.RunId, out _);
            _tasks.TryRemove(actor.RunId, out _);
            actor.Dispose();
            Wake();
        }
    }

    private async Task ForwardStopsAsync(CancellationToken cancellationToken)
    {
        var ids = _actors.Keys.ToList();
        if (ids.Count == 0)
        {
            return;
        }

        foreach (var (runId, cause, reason) in await services.Runs.FindStopsAsync(ids, cancellationToken))
        {
            if (_actors.TryGetValue(runId, out var actor))
            {
                actor.RequestAbort(RunActor.ParseCause(cause), reason);
            }
        }
    }
}
