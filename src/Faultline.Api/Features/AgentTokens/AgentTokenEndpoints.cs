using Faultline.Api.Auth;
using Faultline.Api.Http;
using Faultline.Api.Problems;
using Faultline.Domain.Agents;
using Faultline.Domain.Paging;
using Faultline.Storage.Agents;

namespace Faultline.Api.Features.AgentTokens;

/// <summary>Agent tokens: issued, listed and revoked by admins and owners; a team-bound key manages its team's tokens only.</summary>
public static class AgentTokenEndpoints
{
    public static RouteGroupBuilder MapAgentTokenEndpoints(this RouteGroupBuilder api)
    {
        var group = api.MapGroup("/agent-tokens").WithTags("Agent tokens").RequireAuthorization(Policies.Admin).WithStandardProblems();

        group.MapGet("/", ListAsync).WithName("ListAgentTokens").WithSummary("List agent tokens (never their secrets)")
            .Produces<PageResponse<AgentTokenResponse>>().ProducesListQueryProblems();
        group.MapGet("/{agentTokenId:guid}", GetAsync).WithName("GetAgentToken").WithSummary("Get an agent token (never its secret)")
            .Produces<AgentTokenResponse>().ProducesNotFound();
        group.MapPost("/", CreateAsync).WithName("CreateAgentToken").WithSummary("Issue an agent token; its secret is returned this once")
            .AcceptsJson<CreateAgentTokenRequest>()
            .Produces<CreatedAgentTokenResponse>(StatusCodes.Status201Created).ProducesNotFound();
        group.MapDelete("/{agentTokenId:guid}", RevokeAsync).WithName("RevokeAgentToken")
            .WithSummary("Revoke an agent token (idempotent); its agents are refused from their next request on")
            .Produces<AgentTokenResponse>().ProducesNotFound();
        return api;
    }

    private static async Task<IResult> ListAsync(HttpContext context, AgentTokenStore tokens, [AsParameters] PageQuery page, CancellationToken cancellationToken)
    {
        var caller = context.GetCaller();
        var result = await tokens.ListAsync(caller.OrganizationId, caller.TeamId, page.AfterGuid(), page.EffectiveLimit, cancellationToken);
        var next = result.HasMore ? PageCursor.Encode(result.Items[^1].Id) : null;
        return TypedResults.Ok(new PageResponse<AgentTokenResponse>(result.Items.Select(AgentTokenResponse.From).ToList(), next));
    }

    private static async Task<IResult> GetAsync(HttpContext context, Guid agentTokenId, AgentTokenStore tokens, CancellationToken cancellationToken) =>
        TypedResults.Ok(AgentTokenResponse.From(await FindVisibleAsync(context, agentTokenId, tokens, cancellationToken)));

    private static async Task<IResult> CreateAsync(HttpContext context, CreateAgentTokenRequest request, AgentTokenStore tokens, CancellationToken cancellationToken)
    {
        var caller = context.GetCaller();

        // A team-bound key issues tokens of its own team; the team is implied when not named.
        var teamId = request.TeamId ?? caller.TeamId;
        if (teamId is { } team && !caller.CanSeeTeam(team))
        {
            throw ProblemException.NotFound("Team");
        }

        var token = AgentToken.Create();
        var created = (await tokens.CreateAsync(
                caller.OrganizationId, teamId, request.Name.Trim(), token.Lookup, token.Hash(), AuditContexts.ForRequest(context), cancellationToken))
            .Unwrap("Team");
        return TypedResults.Created($"/api/v1/agent-tokens/{created.Id}", new CreatedAgentTokenResponse(AgentTokenResponse.From(created), token.Value));
    }

    private static async Task<IResult> RevokeAsync(HttpContext context, Guid agentTokenId, AgentTokenStore tokens, CancellationToken cancellationToken)
    {
        var caller = context.GetCaller();
        await FindVisibleAsync(context, agentTokenId, tokens, cancellationToken);
        var revoked = (await tokens.RevokeAsync(caller.OrganizationId, agentTokenId, AuditContexts.ForRequest(context), cancellationToken)).Unwrap("Agent token");
        return TypedResults.Ok(AgentTokenResponse.From(revoked));
    }

    private static async Task<AgentTokenRecord> FindVisibleAsync(HttpContext context, Guid agentTokenId, AgentTokenStore tokens, CancellationToken cancellationToken)
    {
        var caller = context.GetCaller();
        var token = await tokens.GetAsync(caller.OrganizationId, agentTokenId, cancellationToken);
        return token is not null && (caller.IsOrganizationWide || token.TeamId == caller.TeamId)
            ? token
            : throw ProblemException.NotFound("Agent token");
    }
}
