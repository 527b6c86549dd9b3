using Faultline.Engine.Cluster;

namespace Faultline.Engine.Tests.Cluster;

/// <summary>
/// A lease store whose renewals answer as scripted, for failures a real database does not produce on
/// demand: a one-off error, or a call that never returns and ignores cancellation.
/// </summary>
internal sealed class ScriptedLeaseProvider(Func<int, CancellationToken, Task<bool>> renew) : ILeaseProvider
{
    private int _renewals;

    public int Renewals => Volatile.Read(ref _renewals);

    public int Releases { get; private set; }

    public Task<ActorLease?> TryAcquireAsync(string kind, string key, Guid nodeId, TimeSpan ttl, CancellationToken cancellationToken) =>
        Task.FromResult<ActorLease?>(new ActorLease(kind, key, 7, nodeId));

    public Task<bool> TryRenewAsync(ActorLease lease, TimeSpan ttl, CancellationToken cancellationToken) =>
        renew(Interlocked.Increment(ref _renewals), cancellationToken);

    public Task<bool> ReleaseAsync(ActorLease lease, CancellationToken cancellationToken)
    {
        Releases++;
        return Task.FromResult(true);
    }
}
