using Faultline.Domain.Agents;
using Faultline.Domain.Validation;
using Faultline.Storage.Agents;

namespace Faultline.Api.Features.AgentTokens;

public enum AgentTokenStatus
{
    Active,
    Revoked,
}

/// <summary>A token as listed: everything but the secret, which is never stored and never shown again.</summary>
public sealed record AgentTokenResponse(
    Guid Id,
    string Name,
    Guid? TeamId,
    string Prefix,
    AgentTokenStatus Status,
    DateTimeOffset CreatedAt,
    string CreatedBy,
    DateTimeOffset? RevokedAt,
    string? RevokedBy,
    DateTimeOffset? LastUsedAt)
{
    public static AgentTokenResponse From(AgentTokenRecord token) => new(
        token.Id,
        token.Name,
        token.TeamId,
        $"{AgentToken.Scheme}_{token.Lookup}",
        token.RevokedAt is null ? AgentTokenStatus.Active : AgentTokenStatus.Revoked,
        token.CreatedAt,
        token.CreatedBy,
        token.RevokedAt,
        token.RevokedBy,
        token.LastUsedAt);
}

/// <summary>The answer to issuing a token: <see cref="Token"/> is shown this once.</summary>
public sealed record CreatedAgentTokenResponse(AgentTokenResponse AgentToken, string Token);

/// <summary>A new agent token; with <c>teamId</c> the agents it registers belong to that team.</summary>
public sealed record CreateAgentTokenRequest(string Name, Guid? TeamId = null) : IValidatable
{
    public void Validate(ValidationErrors errors) => errors.RequireText("$.name", Name, 100);
}
