using System.Text.RegularExpressions;
using Faultline.Api.Features.ApiKeys;
using Faultline.Domain.Validation;
using Faultline.Storage.Tenancy;

namespace Faultline.Api.Features.Organizations;

public sealed record OrganizationResponse(Guid Id, string Name, string Slug, bool IsOperator, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt, int Version)
{
    public static OrganizationResponse From(OrganizationRecord organization) => new(
        organization.Id, organization.Name, organization.Slug, organization.IsOperator, organization.CreatedAt, organization.UpdatedAt, organization.Version);
}

public sealed record UpdateOrganizationRequest(string Name) : IValidatable
{
    public void Validate(ValidationErrors errors) => errors.RequireText("$.name", Name, 100);
}

public sealed partial record CreateOrganizationRequest(string Name, string? Slug = null, string? OwnerKeyName = null) : IValidatable
{
    public void Validate(ValidationErrors errors)
    {
        errors.RequireText("$.name", Name, 100).OptionalText("$.ownerKeyName", OwnerKeyName, 100);
        if (Slug is not null && !SlugPattern().IsMatch(Slug))
        {
            errors.Add("$.slug", "must be 1 to 63 lower-case letters, digits and dashes, starting with a letter or digit.");
        }
    }

    [GeneratedRegex("^[a-z0-9][a-z0-9-]{0,62}$")]
    private static partial Regex SlugPattern();
}

/// <summary>A new tenant and the token of its first owner key, shown this once.</summary>
public sealed record CreatedOrganizationResponse(OrganizationResponse Organization, CreatedApiKeyResponse OwnerKey);
