namespace Faultline.Storage.Cluster;

/// <summary>
/// A lease row as stored. A released lease keeps its row (<see cref="OwnerNode"/> null) so that the next
/// holder continues from <see cref="Token"/>.
/// </summary>
public sealed record LeaseRecord(
    string Kind,
    string Key,
    Guid? OwnerNode,
    long Token,
    DateTime AcquiredAt,
    DateTime ExpiresAt,
    DateTime? ReleasedAt);
