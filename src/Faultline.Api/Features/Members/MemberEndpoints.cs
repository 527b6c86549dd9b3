using Faultline.Api.Auth;
using Faultline.Api.Features.Teams;
using Faultline.Api.Http;
using Faultline.Api.Problems;
using Faultline.Domain.Paging;
using Faultline.Storage.Tenancy;

namespace Faultline.Api.Features.Members;

public static class MemberEndpoints
{
    public static RouteGroupBuilder MapMemberEndpoints(this RouteGroupBuilder api)
    {
        var group = api.MapGroup("/teams/{teamId:guid}/members").WithTags("Members").RequireAuthorization(Policies.Viewer).WithStandardProblems();

        group.MapGet("/", ListAsync).WithName("ListMembers").WithSummary("List the members of a team")
            .Produces<PageResponse<MemberResponse>>().ProducesListQueryProblems().ProducesNotFound();
        group.MapGet("/{memberId:guid}", GetAsync).WithName("GetMember").WithSummary("Get a member of a team")
            .Produces<MemberResponse>().ProducesNotFound();
        group.MapPost("/", AddAsync).WithName("AddMember").WithSummary("Add a member to a team")
            .AcceptsJson<AddMemberRequest>().WithIdempotency().RequireAuthorization(Policies.Admin)
            .Produces<MemberResponse>(StatusCodes.Status201Created).ProducesNotFound();
        group.MapPatch("/{memberId:guid}", UpdateAsync).WithName("UpdateMember").WithSummary("Change a member's role or display name")
            .AcceptsJson<UpdateMemberRequest>().WithConcurrency().RequireAuthorization(Policies.Admin)
            .Produces<MemberResponse>().ProducesNotFound();
        group.MapDelete("/{memberId:guid}", RemoveAsync).WithName("RemoveMember").WithSummary("Remove a member from a team")
            .RequireAuthorization(Policies.Admin)
            .Produces(StatusCodes.Status204NoContent).ProducesNotFound();
        return api;
    }

    private static async Task<IResult> ListAsync(HttpContext context, Guid teamId, TeamStore teams, MemberStore members, [AsParameters] PageQuery page, CancellationToken cancellationToken)
    {
        var caller = context.GetCaller();
        var limit = page.EffectiveLimit;
        var after = page.AfterGuid();
        await TeamEndpoints.FindVisibleAsync(context, teamId, teams, cancellationToken);
        var result = await members.ListAsync(caller.OrganizationId, teamId, after, limit, cancellationToken);
        var next = result.HasMore ? PageCursor.Encode(result.Items[^1].Id) : null;
        return TypedResults.Ok(new PageResponse<MemberResponse>(result.Items.Select(MemberResponse.From).ToList(), next));
    }

    private static async Task<IResult> GetAsync(HttpContext context, Guid teamId, Guid memberId, MemberStore members, CancellationToken cancellationToken)
    {
        var member = await FindVisibleAsync(context, teamId, memberId, members, cancellationToken);
        ETags.Set(context, member.Version);
        return TypedResults.Ok(MemberResponse.From(member));
    }

    private static async Task<IResult> AddAsync(HttpContext context, Guid teamId, AddMemberRequest request, TeamStore teams, MemberStore members, CancellationToken cancellationToken)
    {
        var caller = context.GetCaller();
        await TeamEndpoints.FindVisibleAsync(context, teamId, teams, cancellationToken);
        if (!caller.CanManageMembersOf(teamId))
        {
            throw ProblemException.Forbidden("Only admin keys of the organization or of this team manage its members.");
        }

        var email = request.Email.Trim().ToLowerInvariant();
        var member = (await members.AddAsync(caller.OrganizationId, teamId, email, request.DisplayName?.Trim(), request.Role!.Value, AuditContexts.ForRequest(context), cancellationToken))
            .Unwrap("Team", $"{email} is already a member of this team.");
        ETags.Set(context, member.Version);
        return TypedResults.Created($"/api/v1/teams/{teamId}/members/{member.Id}", MemberResponse.From(member));
    }

    private static async Task<IResult> UpdateAsync(HttpContext context, Guid teamId, Guid memberId, UpdateMemberRequest request, MemberStore members, CancellationToken cancellationToken)
    {
        var caller = context.GetCaller();
        var current = await FindVisibleAsync(context, teamId, memberId, members, cancellationToken);
        if (!caller.CanManageMembersOf(teamId))
        {
            throw ProblemException.Forbidden("Only admin keys of the organization or of this team manage its members.");
        }

        var expected = ETags.RequireIfMatch(context);
        var displayName = request.DisplayName is null ? current.DisplayName : request.DisplayName.Trim();
        var role = request.Role ?? Domain.Tenancy.RoleNames.Parse(current.Role);
        var member = (await members.UpdateAsync(caller.OrganizationId, teamId, memberId, expected, displayName, role, AuditContexts.ForRequest(context), cancellationToken))
            .Unwrap("Member");
        ETags.Set(context, member.Version);
        return TypedResults.Ok(MemberResponse.From(member));
    }

    private static async Task<IResult> RemoveAsync(HttpContext context, Guid teamId, Guid memberId, MemberStore members, CancellationToken cancellationToken)
    {
        var caller = context.GetCaller();
        await FindVisibleAsync(context, teamId, memberId, members, cancellationToken);
        if (!caller.CanManageMembersOf(teamId))
        {
            throw ProblemException.Forbidden("Only admin keys of the organization or of this team manage its members.");
        }

        (await members.RemoveAsync(caller.OrganizationId, teamId, memberId, AuditContexts.ForRequest(context), cancellationToken)).Unwrap("Member");
        return TypedResults.NoContent();
    }

    private static async Task<Storage.Tenancy.MemberRecord> FindVisibleAsync(HttpContext context, Guid teamId, Guid memberId, MemberStore members, CancellationToken cancellationToken)
    {
        var caller = context.GetCaller();
        var member = caller.CanSeeTeam(teamId) ? await members.GetAsync(caller.OrganizationId, teamId, memberId, cancellationToken) : null;
        return member ?? throw ProblemException.NotFound("Member");
    }
}
