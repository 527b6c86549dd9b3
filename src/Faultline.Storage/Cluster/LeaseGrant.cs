namespace Faultline.Storage.Cluster;

/// <summary>
/// A lease this node holds, as granted or renewed. <see cref="ExpiresAt"/> is by the database clock and
/// is for display and diagnosis only: a node decides "still mine" by renewing, never by comparing its own
/// clock with this value.
/// </summary>
public sealed record LeaseGrant(string Kind, string Key, Guid OwnerNode, long Token, DateTime AcquiredAt, DateTime ExpiresAt)
{
    /// <summary>What every state write made under this lease carries.</summary>
    public LeaseFence Fence => new(Kind, Key, Token, OwnerNode);
}
