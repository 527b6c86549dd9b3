using Faultline.Api.Auth;
using Faultline.Api.Http;
using Faultline.Api.Problems;
using Faultline.Domain.Paging;
using Faultline.Engine.Agents;
using Faultline.Storage.Agents;

namespace Faultline.Api.Features.Agents;

/// <summary>The organization's agents, for people: read-only; agents change them by saying hello.</summary>
public static class AgentEndpoints
{
    public static RouteGroupBuilder MapAgentEndpoints(this RouteGroupBuilder api)
    {
        var group = api.MapGroup("/agents").WithTags("Agents").RequireAuthorization(Policies.Viewer).WithStandardProblems();

        group.MapGet("/", ListAsync).WithName("ListAgents").WithSummary("List agents with their injectors, host capabilities and targets")
            .Produces<PageResponse<AgentResponse>>().ProducesListQueryProblems();
        group.MapGet("/{agentId:guid}", GetAsync).WithName("GetAgent").WithSummary("Get an agent")
            .Produces<AgentResponse>().ProducesNotFound();
        return api;
    }

    private static async Task<IResult> ListAsync(
        HttpContext context, AgentStore agents, AgentOptions options, TimeProvider time, [AsParameters] PageQuery page, CancellationToken cancellationToken)
    {
        var caller = context.GetCaller();
        var result = await agents.ListAsync(caller.OrganizationId, caller.TeamId, page.AfterGuid(), page.EffectiveLimit, cancellationToken);
        var next = result.HasMore ? PageCursor.Encode(result.Items[^1].Id) : null;
        var now = time.GetUtcNow();
        return TypedResults.Ok(new PageResponse<AgentResponse>(result.Items.Select(a => AgentResponse.From(a, now, options.Grace)).ToList(), next));
    }

    private static async Task<IResult> GetAsync(
        HttpContext context, Guid agentId, AgentStore agents, AgentOptions options, TimeProvider time, CancellationToken cancellationToken)
    {
        var caller = context.GetCaller();
        var agent = await agents.GetAsync(caller.OrganizationId, agentId, cancellationToken);
        return agent is not null && (caller.IsOrganizationWide || agent.TeamId is null || agent.TeamId == caller.TeamId)
            ? TypedResults.Ok(AgentResponse.From(agent, time.GetUtcNow(), options.Grace))
            : throw ProblemException.NotFound("Agent");
    }
}
