using Dapper;

namespace Faultline.Storage.Cluster;

/// <summary>
/// The proof of ownership a state write carries: the lease it was made under. A write is fenced by adding
/// <see cref="LeaseStore.FencingPredicate"/> to its WHERE clause and passing <see cref="WithParameters"/>.
/// </summary>
public sealed record LeaseFence(string Kind, string Key, long Token, Guid OwnerNode)
{
    /// <summary>The write's own parameters plus the four that <see cref="LeaseStore.FencingPredicate"/> names.</summary>
    public DynamicParameters WithParameters(object? parameters = null)
    {
        var all = new DynamicParameters(parameters);
        all.Add("leaseKind", Kind);
        all.Add("leaseKey", Key);
        all.Add("leaseToken", Token);
        all.Add("leaseOwner", OwnerNode);
        return all;
    }
}
