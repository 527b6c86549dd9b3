using Faultline.Api.Auth;
using Faultline.Api.Http;
using Faultline.Api.Problems;
using Faultline.Domain.Paging;
using Faultline.Storage.Tenancy;

namespace Faultline.Api.Features.Teams;

public static class TeamEndpoints
{
    public static RouteGroupBuilder MapTeamEndpoints(this RouteGroupBuilder api)
    {
        var group = api.MapGroup("/teams").WithTags("Teams").RequireAuthorization(Policies.Viewer).WithStandardProblems();

        group.MapGet("/", ListAsync).WithName("ListTeams").WithSummary("List the teams of the organization")
            .Produces<PageResponse<TeamResponse>>().ProducesListQueryProblems();
        group.MapGet("/{teamId:guid}", GetAsync).WithName("GetTeam").WithSummary("Get a team")
            .Produces<TeamResponse>().ProducesNotFound();
        group.MapPost("/", CreateAsync).WithName("CreateTeam").WithSummary("Create a team")
            .AcceptsJson<CreateTeamRequest>().WithIdempotency().RequireAuthorization(Policies.Admin)
            .Produces<TeamResponse>(StatusCodes.Status201Created);
        group.MapPatch("/{teamId:guid}", UpdateAsync).WithName("UpdateTeam").WithSummary("Rename or describe a team")
            .AcceptsJson<UpdateTeamRequest>().WithConcurrency().RequireAuthorization(Policies.Admin)
            .Produces<TeamResponse>().ProducesNotFound().ProducesProblem(StatusCodes.Status409Conflict);
        group.MapDelete("/{teamId:guid}", DeleteAsync).WithName("DeleteTeam").WithSummary("Delete a team with its members and team keys")
            .WithConcurrency().RequireAuthorization(Policies.Admin)
            .Produces(StatusCodes.Status204NoContent).ProducesNotFound();
        return api;
    }

    private static async Task<IResult> ListAsync(HttpContext context, TeamStore teams, [AsParameters] PageQuery page, CancellationToken cancellationToken)
    {
        var caller = context.GetCaller();
        var limit = page.EffectiveLimit;
        var result = await teams.ListAsync(caller.OrganizationId, caller.TeamId, page.AfterGuid(), limit, cancellationToken);
        var next = result.HasMore ? PageCursor.Encode(result.Items[^1].Id) : null;
        return TypedResults.Ok(new PageResponse<TeamResponse>(result.Items.Select(TeamResponse.From).ToList(), next));
    }

    private static async Task<IResult> GetAsync(HttpContext context, Guid teamId, TeamStore teams, CancellationToken cancellationToken)
    {
        var team = await FindVisibleAsync(context, teamId, teams, cancellationToken);
        ETags.Set(context, team.Version);
        return TypedResults.Ok(TeamResponse.From(team));
    }

    private static async Task<IResult> CreateAsync(HttpContext context, CreateTeamRequest request, TeamStore teams, CancellationToken cancellationToken)
    {
        var caller = context.GetCaller();
        if (!caller.CanManageTeams)
        {
            throw ProblemException.Forbidden("Only organization-wide admin keys create teams.");
        }

        var team = (await teams.CreateAsync(caller.OrganizationId, request.Name.Trim(), NullIfEmpty(request.Description), AuditContexts.ForRequest(context), cancellationToken))
            .Unwrap("Team", $"A team named '{request.Name.Trim()}' already exists.");
        ETags.Set(context, team.Version);
        return TypedResults.Created($"/api/v1/teams/{team.Id}", TeamResponse.From(team));
    }

    private static async Task<IResult> UpdateAsync(HttpContext context, Guid teamId, UpdateTeamRequest request, TeamStore teams, CancellationToken cancellationToken)
    {
        var caller = context.GetCaller();
        var current = await FindVisibleAsync(context, teamId, teams, cancellationToken);
        if (!caller.CanManageTeams)
        {
            throw ProblemException.Forbidden("Only organization-wide admin keys change teams.");
        }

        var expected = ETags.RequireIfMatch(context);
        var name = request.Name?.Trim() ?? current.Name;
        var description = request.Description is null ? current.Description : NullIfEmpty(request.Description);
        var team = (await teams.UpdateAsync(caller.OrganizationId, teamId, expected, name, description, AuditContexts.ForRequest(context), cancellationToken))
            .Unwrap("Team", $"A team named '{name}' already exists.");
        ETags.Set(context, team.Version);
        return TypedResults.Ok(TeamResponse.From(team));
    }

    private static async Task<IResult> DeleteAsync(HttpContext context, Guid teamId, TeamStore teams, CancellationToken cancellationToken)
    {
        var caller = context.GetCaller();
        await FindVisibleAsync(context, teamId, teams, cancellationToken);
        if (!caller.CanManageTeams)
        {
            throw ProblemException.Forbidden("Only organization-wide admin keys delete teams.");
        }

        var expected = ETags.RequireIfMatch(context);
        (await teams.DeleteAsync(caller.OrganizationId, teamId, expected, AuditContexts.ForRequest(context), cancellationToken)).Unwrap("Team");
        return TypedResults.NoContent();
    }

    /// <summary>A team of another organization, or outside a team-bound key's team, is simply not there.</summary>
    internal static async Task<TeamRecord> FindVisibleAsync(HttpContext context, Guid teamId, TeamStore teams, CancellationToken cancellationToken)
    {
        var caller = context.GetCaller();
        var team = caller.CanSeeTeam(teamId) ? await teams.GetAsync(caller.OrganizationId, teamId, cancellationToken) : null;
        return team ?? throw ProblemException.NotFound("Team");
    }

    private static string? NullIfEmpty(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();
}
