using Faultline.Api.Auth;
using Faultline.Api.Http;
using Faultline.Api.Problems;
using Faultline.Domain.Paging;
using Faultline.Storage.Audit;

namespace Faultline.Api.Features.Audit;

public static class AuditEndpoints
{
    public static RouteGroupBuilder MapAuditEndpoints(this RouteGroupBuilder api)
    {
        var group = api.MapGroup("/audit-events").WithTags("Audit").RequireAuthorization(Policies.Admin).WithStandardProblems();
        group.MapGet("/", QueryAsync).WithName("ListAuditEvents")
            .WithSummary("Read the organization's audit log, newest first, with filters")
            .Produces<PageResponse<AuditEventResponse>>().ProducesListQueryProblems();
        return api;
    }

    private static async Task<IResult> QueryAsync(
        HttpContext context,
        AuditLogStore audit,
        [AsParameters] PageQuery page,
        Guid? actorKeyId,
        string? action,
        string? resourceType,
        string? resourceId,
        DateTimeOffset? from,
        DateTimeOffset? to,
        CancellationToken cancellationToken)
    {
        var caller = context.GetCaller();
        if (!caller.CanReadAudit)
        {
            throw ProblemException.Forbidden("Only organization-wide admin keys read the audit log.");
        }

        if (from is not null && to is not null && from > to)
        {
            throw ProblemException.Validation("from", "must not be after 'to'.");
        }

        var limit = page.EffectiveLimit;
        var filter = new AuditFilter(actorKeyId, action, resourceType, resourceId, from?.UtcDateTime, to?.UtcDateTime);
        var result = await audit.QueryAsync(caller.OrganizationId, filter, page.BeforeLong(), limit, cancellationToken);
        var next = result.HasMore ? PageCursor.Encode(result.Items[^1].Id) : null;
        return TypedResults.Ok(new PageResponse<AuditEventResponse>(result.Items.Select(AuditEventResponse.From).ToList(), next));
    }
}
