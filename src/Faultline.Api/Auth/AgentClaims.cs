using System.Security.Claims;

namespace Faultline.Api.Auth;

/// <summary>
/// Claims of an authenticated agent token. Names of their own, never the API key's: nothing that reads an API
/// key caller (<see cref="FaultlineClaims.GetCaller"/>, the role policies) can ever be satisfied by an agent.
/// </summary>
public static class AgentClaims
{
    public const string OrganizationId = "faultline:agent:org";
    public const string TokenId = "faultline:agent:token";
    public const string TokenName = "faultline:agent:tokenName";
    public const string TeamId = "faultline:agent:team";

    public static ClaimsPrincipal ToPrincipal(AgentCaller caller, string scheme)
    {
        var claims = new List<Claim>
        {
            new(OrganizationId, caller.OrganizationId.ToString()),
            new(TokenId, caller.TokenId.ToString()),
            new(TokenName, caller.TokenName),
            new(ClaimTypes.Name, caller.TokenName),
        };
        if (caller.TeamId is { } team)
        {
            claims.Add(new Claim(TeamId, team.ToString()));
        }

        return new ClaimsPrincipal(new ClaimsIdentity(claims, scheme));
    }

    /// <summary>The agent token of an authenticated agent request. Endpoints behind <see cref="Policies.Agent"/> always have one.</summary>
    public static AgentCaller GetAgentCaller(this HttpContext context)
    {
        var user = context.User;
        var organization = user.FindFirstValue(OrganizationId)
            ?? throw new InvalidOperationException("GetAgentCaller used on an endpoint without agent authentication.");
        var team = user.FindFirstValue(TeamId);
        return new AgentCaller(Guid.Parse(organization), Guid.Parse(user.FindFirstValue(TokenId)!), user.FindFirstValue(TokenName)!, team is null ? null : Guid.Parse(team));
    }
}
