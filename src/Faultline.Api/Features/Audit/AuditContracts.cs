using System.Text.Json;
using Faultline.Storage.Audit;

namespace Faultline.Api.Features.Audit;

public sealed record AuditEventResponse(
    string Id,
    DateTimeOffset OccurredAt,
    Guid? ActorKeyId,
    string ActorName,
    string Action,
    string ResourceType,
    string ResourceId,
    JsonElement Summary,
    string? RequestId,
    string? SourceAddress)
{
    public static AuditEventResponse From(AuditEventRecord entry)
    {
        using var summary = JsonDocument.Parse(entry.Summary);
        return new AuditEventResponse(
            entry.Id.ToString(System.Globalization.CultureInfo.InvariantCulture),
            entry.OccurredAt,
            entry.ActorKeyId,
            entry.ActorName,
            entry.Action,
            entry.ResourceType,
            entry.ResourceId,
            summary.RootElement.Clone(),
            entry.RequestId,
            entry.SourceAddress);
    }
}
