using Faultline.Api.Auth;
using Faultline.Api.Http;
using Faultline.Api.Problems;
using Faultline.Domain.Paging;
using Faultline.Domain.Tenancy;
using Faultline.Storage.Tenancy;

namespace Faultline.Api.Features.ApiKeys;

public static class ApiKeyEndpoints
{
    public static RouteGroupBuilder MapApiKeyEndpoints(this RouteGroupBuilder api)
    {
        var group = api.MapGroup("/api-keys").WithTags("API keys").RequireAuthorization(Policies.Admin).WithStandardProblems();

        group.MapGet("/", ListAsync).WithName("ListApiKeys").WithSummary("List API keys (never their secrets)")
            .Produces<PageResponse<ApiKeyResponse>>().ProducesListQueryProblems();
        group.MapGet("/{keyId:guid}", GetAsync).WithName("GetApiKey").WithSummary("Get an API key (never its secret)")
            .Produces<ApiKeyResponse>().ProducesNotFound();
        group.MapPost("/", CreateAsync).WithName("CreateApiKey").WithSummary("Issue an API key; its token is returned this once")
            .AcceptsJson<CreateApiKeyRequest>()
            .Produces<CreatedApiKeyResponse>(StatusCodes.Status201Created).ProducesNotFound();
        group.MapDelete("/{keyId:guid}", RevokeAsync).WithName("RevokeApiKey").WithSummary("Revoke an API key (idempotent)")
            .Produces<ApiKeyResponse>().ProducesNotFound();
        return api;
    }

    private static async Task<IResult> ListAsync(HttpContext context, ApiKeyStore keys, TimeProvider time, [AsParameters] PageQuery page, CancellationToken cancellationToken)
    {
        var caller = context.GetCaller();
        var limit = page.EffectiveLimit;
        var result = await keys.ListAsync(caller.OrganizationId, caller.TeamId, page.AfterGuid(), limit, cancellationToken);
        var next = result.HasMore ? PageCursor.Encode(result.Items[^1].Id) : null;
        var now = time.GetUtcNow();
        return TypedResults.Ok(new PageResponse<ApiKeyResponse>(result.Items.Select(k => ApiKeyResponse.From(k, now)).ToList(), next));
    }

    private static async Task<IResult> GetAsync(HttpContext context, Guid keyId, ApiKeyStore keys, TimeProvider time, CancellationToken cancellationToken)
    {
        var key = await FindVisibleAsync(context, keyId, keys, cancellationToken);
        return TypedResults.Ok(ApiKeyResponse.From(key, time.GetUtcNow()));
    }

    private static async Task<IResult> CreateAsync(HttpContext context, CreateApiKeyRequest request, ApiKeyStore keys, TimeProvider time, CancellationToken cancellationToken)
    {
        var caller = context.GetCaller();
        var role = request.Role!.Value;
        if (request.TeamId is { } teamId && !caller.CanSeeTeam(teamId))
        {
            throw ProblemException.NotFound("Team");
        }

        if (!caller.CanIssueKey(role, request.TeamId))
        {
            throw ProblemException.Forbidden("A key can only issue keys with a role no higher than its own, for its own scope.");
        }

        // Approval is a second pair of eyes: only owners and approvers can make more approvers.
        if (request.Approver && !(caller.IsApprover || caller.HasAtLeast(Role.Owner)))
        {
            throw ProblemException.Forbidden("Only an owner or an approver key can issue approver keys.");
        }

        var token = ApiKeyToken.Create();
        var key = (await keys.CreateAsync(
                caller.OrganizationId, request.TeamId, NewApiKey.From(token, request.Name.Trim(), role, request.ExpiresAt?.UtcDateTime, request.Approver),
                AuditContexts.ForRequest(context), cancellationToken))
            .Unwrap("Team");
        return TypedResults.Created($"/api/v1/api-keys/{key.Id}", new CreatedApiKeyResponse(ApiKeyResponse.From(key, time.GetUtcNow()), token.Value));
    }

    private static async Task<IResult> RevokeAsync(HttpContext context, Guid keyId, ApiKeyStore keys, TimeProvider time, CancellationToken cancellationToken)
    {
        var caller = context.GetCaller();
        var key = await FindVisibleAsync(context, keyId, keys, cancellationToken);
        if (!caller.CanRevokeKey(RoleNames.Parse(key.Role), key.TeamId))
        {
            throw ProblemException.Forbidden("A key can only revoke keys with a role no higher than its own, in its own scope.");
        }

        var revoked = (await keys.RevokeAsync(caller.OrganizationId, keyId, AuditContexts.ForRequest(context), cancellationToken)).Unwrap("API key");
        return TypedResults.Ok(ApiKeyResponse.From(revoked, time.GetUtcNow()));
    }

    private static async Task<ApiKeyRecord> FindVisibleAsync(HttpContext context, Guid keyId, ApiKeyStore keys, CancellationToken cancellationToken)
    {
        var caller = context.GetCaller();
        var key = await keys.GetAsync(caller.OrganizationId, keyId, cancellationToken);
        return key is not null && (caller.IsOrganizationWide || key.TeamId == caller.TeamId)
            ? key
            : throw ProblemException.NotFound("API key");
    }
}
