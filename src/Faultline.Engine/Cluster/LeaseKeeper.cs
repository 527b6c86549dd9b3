using System.Diagnostics;
using Microsoft.Extensions.Logging;

namespace Faultline.Engine.Cluster;

/// <summary>
/// Holds one lease for an actor: renews it every <see cref="LeaseKeeperOptions.RenewInterval"/> from a
/// single loop, and cancels <see cref="LeaseLost"/> the moment the lease is no longer certainly this node's.
/// That token is the actor's order to stop writing and injecting; the fence on every write
/// (<see cref="Lease"/>) is what makes a late write harmless if the actor does not stop in time.
/// </summary>
/// <remarks>
/// The keeper judges "still mine" without reading any clock but its own monotonic one: a renewal sent at
/// local time <c>s</c> and confirmed makes the store extend the lease to a moment no earlier than
/// <c>s + ttl</c>, so the lease is certainly valid until then. When no renewal has been confirmed by that
/// deadline (the store is unreachable, slow, or this process was paused), the lease counts as lost even
/// though the store may not have given it away yet. A refused renewal (stolen, expired) is lost at once.
/// A lost lease stays lost: the actor acquires a new one, with a new token, if it still has work.
/// </remarks>
public sealed class LeaseKeeper : IAsyncDisposable
{
    private readonly ILeaseProvider _provider;
    private readonly LeaseKeeperOptions _options;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _lost = new();
    private readonly CancellationToken _lostToken;
    private readonly CancellationTokenSource _stopping = new();
    private readonly Task _renewals;
    private int _lostOnce;
    private bool _released;

    private LeaseKeeper(ILeaseProvider provider, ActorLease lease, LeaseKeeperOptions options, ILogger logger, long validUntil)
    {
        _provider = provider;
        Lease = lease;
        _options = options;
        _logger = logger;
        _lostToken = _lost.Token;
        _renewals = RenewAsync(validUntil, _stopping.Token);
    }

    public ActorLease Lease { get; }

    public long Token => Lease.Token;

    /// <summary>Cancelled when the lease is lost, found lost, or released; never reset.</summary>
    public CancellationToken LeaseLost => _lostToken;

    public bool IsLost => _lostToken.IsCancellationRequested;

    /// <summary>
    /// Acquires the lease and starts keeping it; null when another holder has it. The caller owns the keeper
    /// and releases it (<see cref="ReleaseAsync"/>, or <see cref="DisposeAsync"/>) when the actor deactivates.
    /// </summary>
    public static async Task<LeaseKeeper?> TryAcquireAsync(
        ILeaseProvider provider, string kind, string key, Guid nodeId, LeaseKeeperOptions options, ILogger logger, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(provider);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        var sentAt = Stopwatch.GetTimestamp();
        var lease = await provider.TryAcquireAsync(kind, key, nodeId, options.Ttl, cancellationToken);
        return lease is null ? null : new LeaseKeeper(provider, lease, options, logger, ValidUntil(sentAt, options.Ttl));
    }

    /// <summary>
    /// Keeps a lease acquired elsewhere (the run dispatcher claims runs and their leases in one transaction).
    /// <paramref name="requestedAt"/> is the <see cref="Stopwatch"/> timestamp taken before the acquisition was
    /// sent: the lease is certain until that moment plus the TTL, never longer.
    /// </summary>
    public static LeaseKeeper Adopt(ILeaseProvider provider, ActorLease lease, long requestedAt, LeaseKeeperOptions options, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(provider);
        ArgumentNullException.ThrowIfNull(lease);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        return new LeaseKeeper(provider, lease, options, logger, ValidUntil(requestedAt, options.Ttl));
    }

    /// <summary>
    /// For the actor that learned first: a fenced write matched no row, so the lease is gone whatever the
    /// last renewal said. Stops renewing and cancels <see cref="LeaseLost"/>.
    /// </summary>
    public void MarkLost(string reason) => Lose(reason, LogLevel.Warning);

    /// <summary>
    /// Stops renewing, cancels <see cref="LeaseLost"/> (the actor stops before anyone else can start), then
    /// gives the lease back so another node can take the key at once instead of after expiry. Also after a
    /// loss: a lease given up for want of a confirmed renewal may still be ours in the store, and releasing
    /// by owner and token cannot touch a later holder's lease.
    /// </summary>
    public async Task ReleaseAsync(CancellationToken cancellationToken)
    {
        await StopRenewingAsync();
        Lose("released", LogLevel.Debug);
        if (!_released)
        {
            _released = true;
            await _provider.ReleaseAsync(Lease, cancellationToken);
        }
    }

    /// <summary>Releases the lease; if the store cannot be reached, the lease simply expires.</summary>
    public async ValueTask DisposeAsync()
    {
        try
        {
            await ReleaseAsync(CancellationToken.None);
        }
#pragma warning disable CA1031 // Disposal must not throw; an unreleased lease expires on its own after the TTL.
        catch (Exception exception)
#pragma warning restore CA1031
        {
            _logger.LogWarning(exception, "Could not release lease {Kind}/{Key} token {Token}; it will expire", Lease.Kind, Lease.Key, Lease.Token);
        }

        _stopping.Dispose();
        _lost.Dispose();
    }

    private async Task RenewAsync(long validUntil, CancellationToken stopping)
    {
        var wait = _options.RenewInterval;
        try
        {
            while (!IsLost)
            {
                // Never sleep past the moment the lease stops being certain.
                var remaining = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), validUntil);
                if (remaining > TimeSpan.Zero)
                {
                    await Task.Delay(wait < remaining ? wait : remaining, stopping);
                }

                var sentAt = Stopwatch.GetTimestamp();
                remaining = Stopwatch.GetElapsedTime(sentAt, validUntil);
                if (remaining <= TimeSpan.Zero)
                {
                    Lose("no renewal confirmed before the lease stopped being certain", LogLevel.Warning);
                    return;
                }

                using var attempt = CancellationTokenSource.CreateLinkedTokenSource(stopping);
                attempt.CancelAfter(remaining);
                bool renewed;
                try
                {
                    // WaitAsync as well as the token: a store that ignores cancellation cannot hold the keeper past the deadline.
                    renewed = await _provider.TryRenewAsync(Lease, _options.Ttl, attempt.Token).WaitAsync(attempt.Token);
                }
                catch (OperationCanceledException) when (attempt.IsCancellationRequested && !stopping.IsCancellationRequested)
                {
                    // Still unanswered when the lease stops being certain: an answer now would come too late.
                    Lose("no renewal confirmed before the lease stopped being certain", LogLevel.Warning);
                    return;
                }
#pragma warning disable CA1031 // The store's failures are not the engine's types; any failure is retried until the deadline.
                catch (Exception exception) when (!stopping.IsCancellationRequested)
#pragma warning restore CA1031
                {
                    _logger.LogWarning(exception, "Renewing lease {Kind}/{Key} token {Token} failed; retrying while it is still certain", Lease.Kind, Lease.Key, Lease.Token);
                    wait = _options.RetryDelay;
                    continue;
                }

                if (!renewed)
                {
                    Lose("renewal refused: the lease expired or was taken over", LogLevel.Warning);
                    return;
                }

                validUntil = ValidUntil(sentAt, _options.Ttl);
                wait = _options.RenewInterval;
            }
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
            // Released or disposed.
        }
    }

    private void Lose(string reason, LogLevel level)
    {
        if (Interlocked.Exchange(ref _lostOnce, 1) == 1)
        {
            return;
        }

        _logger.Log(level, "Lease {Kind}/{Key} token {Token} of node {NodeId} ended: {Reason}", Lease.Kind, Lease.Key, Lease.Token, Lease.NodeId, reason);
        try
        {
            // Registrations run here, synchronously: the actor's stop begins before this returns.
            _lost.Cancel();
        }
#pragma warning disable CA1031 // A failing registration is the actor's bug; the keeper must still stop renewing.
        catch (Exception exception)
#pragma warning restore CA1031
        {
            _logger.LogError(exception, "A callback on the loss of lease {Kind}/{Key} failed", Lease.Kind, Lease.Key);
        }

        // A lost lease is never renewed again, not even by a renewal loop waking up right now.
        _stopping.Cancel();
    }

    private async Task StopRenewingAsync()
    {
        if (!_stopping.IsCancellationRequested)
        {
            await _stopping.CancelAsync();
        }

        await _renewals;
    }

    private static long ValidUntil(long sentAt, TimeSpan ttl) => sentAt + (long)(ttl.TotalSeconds * Stopwatch.Frequency);
}
