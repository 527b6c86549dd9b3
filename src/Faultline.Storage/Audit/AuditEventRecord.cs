namespace Faultline.Storage.Audit;

public sealed record AuditEventRecord(
    long Id,
    Guid OrganizationId,
    DateTime OccurredAt,
    Guid? ActorKeyId,
    string ActorName,
    string Action,
    string ResourceType,
    string ResourceId,
    string Summary,
    string? RequestId,
    string? SourceAddress);
