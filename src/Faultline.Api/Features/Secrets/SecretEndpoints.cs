using Faultline.Api.Auth;
using Faultline.Api.Http;
using Faultline.Api.Problems;
using Faultline.Domain.Paging;
using Faultline.Domain.Secrets;
using Faultline.Storage.Secrets;
using Faultline.Storage.Tenancy;

namespace Faultline.Api.Features.Secrets;

/// <summary>
/// Team secrets. Any member of the team (viewer and up) lists names and metadata; operators and up, who write
/// the team's experiments, set and delete them. No answer ever carries a value. If-Match is optional: when sent,
/// a stale version gets 412, so a rotation cannot silently overwrite another.
/// </summary>
public static class SecretEndpoints
{
    public static RouteGroupBuilder MapSecretEndpoints(this RouteGroupBuilder api)
    {
        var group = api.MapGroup("/teams/{teamId:guid}/secrets").WithTags("Secrets").RequireAuthorization(Policies.Viewer).WithStandardProblems();
        group.MapGet("/", ListAsync).WithName("ListSecrets").WithSummary("List the team's secrets (names and metadata, never values)")
            .Produces<PageResponse<SecretResponse>>().ProducesListQueryProblems().ProducesNotFound();
        group.MapGet("/{name}", GetAsync).WithName("GetSecret").WithSummary("A secret's metadata (never its value)")
            .Produces<SecretResponse>().ProducesBadRequest().ProducesNotFound();
        group.MapPut("/{name}", PutAsync).WithName("PutSecret")
            .WithSummary("Create or replace a secret; the value is stored encrypted and never returned (If-Match with its version to guard a replace)")
            .AcceptsJson<PutSecretRequest>().RequireAuthorization(Policies.Operator)
            .Produces<SecretResponse>().Produces<SecretResponse>(StatusCodes.Status201Created).ProducesNotFound()
            .ProducesProblem(StatusCodes.Status412PreconditionFailed);
        group.MapDelete("/{name}", DeleteAsync).WithName("DeleteSecret")
            .WithSummary("Delete a secret; runs referencing it find their probe's provider unreachable")
            .RequireAuthorization(Policies.Operator)
            .Produces(StatusCodes.Status204NoContent).ProducesBadRequest().ProducesNotFound().ProducesProblem(StatusCodes.Status412PreconditionFailed);
        return api;
    }

    private static async Task<IResult> ListAsync(
        HttpContext context, Guid teamId, TeamStore teams, SecretStore secrets, [AsParameters] PageQuery page, CancellationToken cancellationToken)
    {
        var caller = context.GetCaller();
        await RequireTeamAsync(context, teamId, teams, cancellationToken);
        var limit = page.EffectiveLimit;
        var result = await secrets.ListAsync(caller.OrganizationId, teamId, page.AfterGuid(), limit, cancellationToken);
        var next = result.HasMore ? PageCursor.Encode(result.Items[^1].Id) : null;
        return TypedResults.Ok(new PageResponse<SecretResponse>([.. result.Items.Select(SecretResponse.From)], next));
    }

    private static async Task<IResult> GetAsync(HttpContext context, Guid teamId, string name, TeamStore teams, SecretStore secrets, CancellationToken cancellationToken)
    {
        RequireName(name);
        await RequireTeamAsync(context, teamId, teams, cancellationToken);
        var secret = await secrets.GetAsync(context.GetCaller().OrganizationId, teamId, name, cancellationToken) ?? throw ProblemException.NotFound("Secret");
        ETags.Set(context, secret.Version);
        return TypedResults.Ok(SecretResponse.From(secret));
    }

    private static async Task<IResult> PutAsync(
        HttpContext context, Guid teamId, string name, PutSecretRequest request, TeamStore teams, SecretStore secrets, CancellationToken cancellationToken)
    {
        RequireName(name);
        await RequireTeamAsync(context, teamId, teams, cancellationToken);
        var put = (await secrets.PutAsync(context.GetCaller().OrganizationId, teamId, name, request.Value, IfMatch(context), AuditContexts.ForRequest(context), cancellationToken))
            .Unwrap("Secret");
        ETags.Set(context, put.Secret.Version);
        var response = SecretResponse.From(put.Secret);
        return put.Created ? TypedResults.Created($"/api/v1/teams/{teamId}/secrets/{name}", response) : TypedResults.Ok(response);
    }

    private static async Task<IResult> DeleteAsync(HttpContext context, Guid teamId, string name, TeamStore teams, SecretStore secrets, CancellationToken cancellationToken)
    {
        RequireName(name);
        await RequireTeamAsync(context, teamId, teams, cancellationToken);
        (await secrets.DeleteAsync(context.GetCaller().OrganizationId, teamId, name, IfMatch(context), AuditContexts.ForRequest(context), cancellationToken)).Unwrap("Secret");
        return TypedResults.NoContent();
    }

    /// <summary>A key of another team, or a team of another organization, gets 404 like a team that does not exist.</summary>
    private static async Task RequireTeamAsync(HttpContext context, Guid teamId, TeamStore teams, CancellationToken cancellationToken)
    {
        var caller = context.GetCaller();
        if (!caller.CanSeeTeam(teamId) || await teams.GetAsync(caller.OrganizationId, teamId, cancellationToken) is null)
        {
            throw ProblemException.NotFound("Team");
        }
    }

    private static void RequireName(string name)
    {
        if (!SecretNames.IsValid(name))
        {
            throw ProblemException.Validation("name", SecretNames.Rule);
        }
    }

    private static int? IfMatch(HttpContext context) => context.Request.Headers.IfMatch.Count > 0 ? ETags.RequireIfMatch(context) : null;
}
