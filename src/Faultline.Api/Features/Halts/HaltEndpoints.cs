using Faultline.Api.Auth;
using Faultline.Api.Http;
using Faultline.Api.Problems;
using Faultline.Domain.Tenancy;
using Faultline.Storage.Policies;
using Faultline.Storage.Tenancy;

namespace Faultline.Api.Features.Halts;

/// <summary>
/// The big red buttons. Any operator may stop what they are allowed to run (their team, or the organization
/// with an organization-wide key); releasing takes an admin. A global halt, for every organization, belongs
/// to the owners of the operator organization.
/// </summary>
public static class HaltEndpoints
{
    public static RouteGroupBuilder MapHaltEndpoints(this RouteGroupBuilder api)
    {
        var group = api.MapGroup("/halts").WithTags("Halts").RequireAuthorization(Policies.Viewer).WithStandardProblems();
        group.MapGet("/", ListAsync).WithName("ListHalts").WithSummary("Halt switches of the organization and global ones (active only unless all=true)")
            .Produces<IReadOnlyList<HaltResponse>>();
        group.MapPost("/", EngageAsync).WithName("EngageHalt")
            .WithSummary("Engage a halt: every run in scope rolls back within seconds and new runs are refused until it is released")
            .AcceptsJson<CreateHaltRequest>().WithIdempotency().RequireAuthorization(Policies.Operator)
            .Produces<HaltResponse>(StatusCodes.Status201Created).ProducesNotFound();
        group.MapPost("/{haltId:guid}/release", ReleaseAsync).WithName("ReleaseHalt").WithSummary("Release a halt so runs may start again")
            .RequireAuthorization(Policies.Admin)
            .Produces<HaltResponse>().ProducesNotFound()
            .Produces<HttpValidationProblemDetails>(StatusCodes.Status400BadRequest, Problems.ProblemWriter.ContentType);
        return api;
    }

    private static async Task<IResult> ListAsync(HttpContext context, HaltStore halts, bool? all, CancellationToken cancellationToken)
    {
        var caller = context.GetCaller();
        var list = await halts.ListAsync(caller.OrganizationId, all == true, cancellationToken);
        return TypedResults.Ok(list.Where(halt => halt.TeamId is null || caller.CanSeeTeam(halt.TeamId.Value)).Select(HaltResponse.From).ToList());
    }

    private static async Task<IResult> EngageAsync(HttpContext context, CreateHaltRequest request, HaltStore halts, TeamStore teams, CancellationToken cancellationToken)
    {
        var caller = context.GetCaller();
        Guid? organizationId = caller.OrganizationId;
        switch (request.Scope)
        {
            case HaltScopes.Global:
                if (!caller.CanCreateOrganizations)
                {
                    throw ProblemException.Forbidden("Only owners of the operator organization can halt every organization.");
                }

                organizationId = null;
                break;
            case HaltScopes.Organization:
                if (!caller.IsOrganizationWide)
                {
                    throw ProblemException.Forbidden("A team key can halt its team, not the whole organization.");
                }

                break;
            default:
                var teamId = request.TeamId!.Value;
                if (!caller.CanSeeTeam(teamId) || await teams.GetAsync(caller.OrganizationId, teamId, cancellationToken) is null)
                {
                    throw ProblemException.NotFound("Team");
                }

                break;
        }

        var halt = await halts.EngageAsync(request.Scope, organizationId, request.TeamId, request.Reason.Trim(), AuditContexts.ForRequest(context), cancellationToken);
        return TypedResults.Created($"/api/v1/halts/{halt.Id}", HaltResponse.From(halt));
    }

    private static async Task<IResult> ReleaseAsync(HttpContext context, Guid haltId, HaltStore halts, CancellationToken cancellationToken)
    {
        var caller = context.GetCaller();
        var halt = (await halts.ListAsync(caller.OrganizationId, includeReleased: false, cancellationToken)).FirstOrDefault(h => h.Id == haltId)
            ?? throw ProblemException.NotFound("Active halt");
        if (halt.Scope == HaltScopes.Global && !caller.CanCreateOrganizations)
        {
            throw ProblemException.Forbidden("Only owners of the operator organization can release a global halt.");
        }

        if (halt.TeamId is { } teamId ? !caller.CanManageMembersOf(teamId) : !(caller.IsOrganizationWide && caller.HasAtLeast(Role.Admin)))
        {
            throw ProblemException.Forbidden("Releasing a halt takes an admin of its scope.");
        }

        var released = (await halts.ReleaseAsync(haltId, halt.Scope == HaltScopes.Global ? null : caller.OrganizationId, AuditContexts.ForRequest(context), cancellationToken))
            .Unwrap("Active halt");
        return TypedResults.Ok(HaltResponse.From(released));
    }
}
