using Faultline.Storage.Cluster;

namespace Faultline.Engine.Cluster;

/// <summary>
/// <see cref="ILeaseProvider"/> over the PostgreSQL lease table. It lives here until Faultline.Engine
/// references Faultline.Storage; then it moves, unchanged, next to <see cref="LeaseKeeper"/>.
/// </summary>
public sealed class PostgresLeaseProvider(LeaseStore store) : ILeaseProvider
{
    public async Task<ActorLease?> TryAcquireAsync(string kind, string key, Guid nodeId, TimeSpan ttl, CancellationToken cancellationToken)
    {
        var grant = await store.TryAcquireAsync(kind, key, nodeId, ttl, cancellationToken);
        return grant is null ? null : new ActorLease(grant.Kind, grant.Key, grant.Token, grant.OwnerNode);
    }

    public async Task<bool> TryRenewAsync(ActorLease lease, TimeSpan ttl, CancellationToken cancellationToken) =>
        await store.TryRenewAsync(lease.Kind, lease.Key, lease.NodeId, lease.Token, ttl, cancellationToken) is not null;

    public Task<bool> ReleaseAsync(ActorLease lease, CancellationToken cancellationToken) =>
        store.ReleaseAsync(lease.Kind, lease.Key, lease.NodeId, lease.Token, cancellationToken);
}
