using System.Text.Json;
using System.Text.Json.Nodes;
using Faultline.Api.Auth;
using Faultline.Api.Http;
using Faultline.Api.Problems;
using Faultline.Domain.Policies;
using Faultline.Domain.Validation;
using Faultline.Storage.Policies;
using Faultline.Storage.Tenancy;

namespace Faultline.Api.Features.BlastRadius;

/// <summary>
/// Blast-radius policies, one per team. Any member of the team reads it; only organization-wide admins change
/// it, since a policy exists to bound what the team itself may do.
/// </summary>
public static class PolicyEndpoints
{
    public static RouteGroupBuilder MapPolicyEndpoints(this RouteGroupBuilder api)
    {
        var group = api.MapGroup("/teams/{teamId:guid}/policy").WithTags("Policies").RequireAuthorization(Policies.Viewer).WithStandardProblems();
        group.MapGet("/", GetAsync).WithName("GetTeamPolicy").WithSummary("The team's blast-radius policy (unrestricted until one is set)")
            .Produces<PolicyResponse>().ProducesNotFound();
        group.MapPut("/", PutAsync).WithName("PutTeamPolicy").WithSummary("Set the team's blast-radius policy (If-Match with its version to replace one)")
            .AcceptsJson<JsonElement>().RequireAuthorization(Policies.Admin)
            .Produces<PolicyResponse>().ProducesNotFound().ProducesProblem(StatusCodes.Status412PreconditionFailed);
        return api;
    }

    private static async Task<IResult> GetAsync(HttpContext context, Guid teamId, TeamStore teams, PolicyStore policies, CancellationToken cancellationToken)
    {
        var caller = context.GetCaller();
        if (!caller.CanSeeTeam(teamId) || await teams.GetAsync(caller.OrganizationId, teamId, cancellationToken) is null)
        {
            throw ProblemException.NotFound("Team");
        }

        var record = await policies.GetAsync(caller.OrganizationId, teamId, cancellationToken);
        if (record is null)
        {
            ETags.Set(context, 0);
            return TypedResults.Ok(new PolicyResponse(teamId, JsonSerializer.SerializeToElement(BlastRadiusPolicyJson.Write(BlastRadiusPolicy.Unrestricted)), 0, null));
        }

        ETags.Set(context, record.Version);
        return TypedResults.Ok(new PolicyResponse(teamId, JsonDocument.Parse(record.Policy).RootElement.Clone(), record.Version, record.UpdatedAt));
    }

    private static async Task<IResult> PutAsync(HttpContext context, Guid teamId, JsonElement body, TeamStore teams, PolicyStore policies, CancellationToken cancellationToken)
    {
        var caller = context.GetCaller();
        if (!caller.CanSeeTeam(teamId) || await teams.GetAsync(caller.OrganizationId, teamId, cancellationToken) is null)
        {
            throw ProblemException.NotFound("Team");
        }

        if (!caller.CanManageTeams)
        {
            throw ProblemException.Forbidden("Only organization-wide admin keys set a team's policy.");
        }

        var errors = new ValidationErrors();
        JsonNode? document;
        try
        {
            // The element was bound lazily: text that is not valid UTF-8 only shows here.
            document = JsonNode.Parse(body.GetRawText());
        }
        catch (Exception exception) when (exception is JsonException or InvalidOperationException or ArgumentException)
        {
            throw ProblemException.Validation("$", $"is not a valid JSON document: {exception.Message}");
        }

        var policy = BlastRadiusPolicyJson.Read(document, errors);
        if (policy is null)
        {
            throw ProblemException.Validation(errors.ToDictionary());
        }

        int? expected = context.Request.Headers.IfMatch.Count > 0 ? ETags.RequireIfMatch(context) : null;
        var normalized = BlastRadiusPolicyJson.Write(policy).ToJsonString();
        var saved = (await policies.PutAsync(caller.OrganizationId, teamId, normalized, expected == 0 ? null : expected, AuditContexts.ForRequest(context), cancellationToken))
            .Unwrap("Team");
        ETags.Set(context, saved.Version);
        return TypedResults.Ok(new PolicyResponse(teamId, JsonDocument.Parse(saved.Policy).RootElement.Clone(), saved.Version, saved.UpdatedAt));
    }
}
