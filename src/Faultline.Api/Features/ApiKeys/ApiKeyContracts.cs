using Faultline.Domain.Tenancy;
using Faultline.Domain.Validation;
using Faultline.Storage.Tenancy;

namespace Faultline.Api.Features.ApiKeys;

public enum ApiKeyStatus
{
    Active,
    Expired,
    Revoked,
}

/// <summary>A key as listed: everything but the secret, which is never stored and never shown again.</summary>
public sealed record ApiKeyResponse(
    Guid Id,
    string Name,
    Role Role,
    Guid? TeamId,
    string Prefix,
    ApiKeyStatus Status,
    DateTimeOffset CreatedAt,
    DateTimeOffset? ExpiresAt,
    DateTimeOffset? RevokedAt,
    DateTimeOffset? LastUsedAt,
    bool Approver)
{
    public static ApiKeyResponse From(ApiKeyRecord key, DateTimeOffset now) => new(
        key.Id,
        key.Name,
        RoleNames.Parse(key.Role),
        key.TeamId,
        $"{ApiKeyToken.Scheme}_{key.Lookup}",
        key.RevokedAt is not null ? ApiKeyStatus.Revoked : key.ExpiresAt is { } expires && expires <= now ? ApiKeyStatus.Expired : ApiKeyStatus.Active,
        key.CreatedAt,
        key.ExpiresAt,
        key.RevokedAt,
        key.LastUsedAt,
        key.Approver);
}

/// <summary>The answer to creating a key: <see cref="Token"/> is shown this once.</summary>
public sealed record CreatedApiKeyResponse(ApiKeyResponse Key, string Token);

/// <summary>A new key; <c>approver</c> lets it approve runs a team policy holds for approval (by another person).</summary>
public sealed record CreateApiKeyRequest(string Name, Role? Role, Guid? TeamId = null, DateTimeOffset? ExpiresAt = null, bool Approver = false) : IValidatable
{
    public void Validate(ValidationErrors errors)
    {
        errors.RequireText("$.name", Name, 100);
        if (Role is null)
        {
            errors.Add("$.role", "is required: viewer, operator, admin or owner.");
        }
        else if (Role == Domain.Tenancy.Role.Owner && TeamId is not null)
        {
            errors.Add("$.role", "owner keys act for the whole organization and cannot be bound to a team.");
        }

        if (ExpiresAt is { } expires && expires <= DateTimeOffset.UtcNow)
        {
            errors.Add("$.expiresAt", "must be in the future.");
        }
    }
}
