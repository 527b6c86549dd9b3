namespace Faultline.Storage.Common;

/// <summary>
/// Who is changing something, and from where. Every mutating store method takes one, so no change can be
/// written without its audit entry: both go into the same transaction.
/// </summary>
public sealed record AuditContext(Guid? ActorKeyId, string ActorName, string? RequestId, string? SourceAddress)
{
    public static AuditContext System(string what) => new(null, $"system:{what}", null, null);
}
