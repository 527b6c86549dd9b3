using Faultline.Api.Auth;
using Faultline.Api.Features.ApiKeys;
using Faultline.Api.Http;
using Faultline.Api.Problems;
using Faultline.Domain.Tenancy;
using Faultline.Storage.Tenancy;

namespace Faultline.Api.Features.Organizations;

public static class OrganizationEndpoints
{
    public static RouteGroupBuilder MapOrganizationEndpoints(this RouteGroupBuilder api)
    {
        var current = api.MapGroup("/organization").WithTags("Organizations").RequireAuthorization(Policies.Viewer).WithStandardProblems();
        current.MapGet("/", GetCurrentAsync).WithName("GetOrganization").WithSummary("Get the organization of the calling API key")
            .Produces<OrganizationResponse>();
        current.MapPatch("/", RenameAsync).WithName("UpdateOrganization").WithSummary("Rename the organization")
            .AcceptsJson<UpdateOrganizationRequest>().WithConcurrency().RequireAuthorization(Policies.Owner)
            .Produces<OrganizationResponse>();

        var tenants = api.MapGroup("/organizations").WithTags("Organizations").RequireAuthorization(Policies.Owner).WithStandardProblems();
        tenants.MapPost("/", CreateTenantAsync).WithName("CreateOrganization")
            .WithSummary("Create a tenant organization with its first owner key (operator organization owners only)")
            .AcceptsJson<CreateOrganizationRequest>()
            .Produces<CreatedOrganizationResponse>(StatusCodes.Status201Created).ProducesProblem(StatusCodes.Status409Conflict);
        return api;
    }

    private static async Task<IResult> GetCurrentAsync(HttpContext context, OrganizationStore organizations, CancellationToken cancellationToken)
    {
        var organization = await organizations.GetAsync(context.GetCaller().OrganizationId, cancellationToken)
            ?? throw ProblemException.NotFound("Organization");
        ETags.Set(context, organization.Version);
        return TypedResults.Ok(OrganizationResponse.From(organization));
    }

    private static async Task<IResult> RenameAsync(HttpContext context, UpdateOrganizationRequest request, OrganizationStore organizations, CancellationToken cancellationToken)
    {
        var caller = context.GetCaller();
        if (!caller.CanManageOrganization)
        {
            throw ProblemException.Forbidden("Only organization owner keys rename the organization.");
        }

        var expected = ETags.RequireIfMatch(context);
        var organization = (await organizations.RenameAsync(caller.OrganizationId, expected, request.Name.Trim(), AuditContexts.ForRequest(context), cancellationToken))
            .Unwrap("Organization");
        ETags.Set(context, organization.Version);
        return TypedResults.Ok(OrganizationResponse.From(organization));
    }

    private static async Task<IResult> CreateTenantAsync(HttpContext context, CreateOrganizationRequest request, OrganizationStore organizations, TimeProvider time, CancellationToken cancellationToken)
    {
        var caller = context.GetCaller();
        if (!caller.CanCreateOrganizations)
        {
            throw ProblemException.Forbidden("Only owner keys of the operator organization create organizations.");
        }

        var name = request.Name.Trim();
        var slug = request.Slug ?? Slugs.From(name);
        var token = ApiKeyToken.Create();
        var ownerKey = NewApiKey.From(token, request.OwnerKeyName?.Trim() ?? "owner", Role.Owner, null);
        var created = (await organizations.CreateTenantAsync(caller.OrganizationId, name, slug, ownerKey, AuditContexts.ForRequest(context), cancellationToken))
            .Unwrap("Organization", $"The slug '{slug}' is taken.");
        var ownerKeyView = new CreatedApiKeyResponse(ApiKeyResponse.From(created.OwnerKey, time.GetUtcNow()), token.Value);
        return TypedResults.Created("/api/v1/organization", new CreatedOrganizationResponse(OrganizationResponse.From(created.Organization), ownerKeyView));
    }
}
