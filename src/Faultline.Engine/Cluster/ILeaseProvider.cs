namespace Faultline.Engine.Cluster;

/// <summary>
/// The lease table as the engine needs it; over PostgreSQL it is <c>Faultline.Storage.Cluster.LeaseStore</c>.
/// All expiry is judged by the store's clock, never the caller's.
/// </summary>
public interface ILeaseProvider
{
    /// <summary>The lease with a token higher than any before, or null while someone (this node included) holds it unexpired.</summary>
    Task<ActorLease?> TryAcquireAsync(string kind, string key, Guid nodeId, TimeSpan ttl, CancellationToken cancellationToken);

    /// <summary>
    /// True when the lease was extended to the store's now + <paramref name="ttl"/>; false when it is lost for
    /// good (taken over, expired or released). Throws when the store could not be asked: the outcome is unknown.
    /// </summary>
    Task<bool> TryRenewAsync(ActorLease lease, TimeSpan ttl, CancellationToken cancellationToken);

    /// <summary>False when this node no longer held the lease under this token.</summary>
    Task<bool> ReleaseAsync(ActorLease lease, CancellationToken cancellationToken);
}
