namespace Faultline.Storage.Audit;

/// <summary>Optional filters of an audit query; null means "any".</summary>
public sealed record AuditFilter(
    Guid? ActorKeyId = null,
    string? Action = null,
    string? ResourceType = null,
    string? ResourceId = null,
    DateTime? From = null,
    DateTime? To = null);
