using System.Security.Claims;
using Faultline.Domain.Tenancy;

namespace Faultline.Api.Auth;

/// <summary>Claim names carried by an authenticated API key, and the way back to a <see cref="Caller"/>.</summary>
public static class FaultlineClaims
{
    public const string OrganizationId = "faultline:org";
    public const string KeyId = "faultline:key";
    public const string KeyName = "faultline:keyName";
    public const string Role = "faultline:role";
    public const string TeamId = "faultline:team";
    public const string Operator = "faultline:operator";
    public const string Approver = "faultline:approver";

    public static ClaimsPrincipal ToPrincipal(Caller caller, string scheme)
    {
        var claims = new List<Claim>
        {
            new(OrganizationId, caller.OrganizationId.ToString()),
            new(KeyId, caller.KeyId.ToString()),
            new(KeyName, caller.KeyName),
            new(Role, caller.Role.ToName()),
            new(ClaimTypes.Name, caller.KeyName),
        };
        if (caller.TeamId is { } team)
        {
            claims.Add(new Claim(TeamId, team.ToString()));
        }

        if (caller.IsOperatorOrganization)
        {
            claims.Add(new Claim(Operator, "true"));
        }

        if (caller.IsApprover)
        {
            claims.Add(new Claim(Approver, "true"));
        }

        return new ClaimsPrincipal(new ClaimsIdentity(claims, scheme));
    }

    /// <summary>The caller of an authenticated request. Endpoints behind RequireAuthorization always have one.</summary>
    public static Caller GetCaller(this HttpContext context)
    {
        var user = context.User;
        var organization = user.FindFirstValue(OrganizationId)
            ?? throw new InvalidOperationException("GetCaller used on an endpoint without authentication.");
        var team = user.FindFirstValue(TeamId);
        return new Caller(
            Guid.Parse(organization),
            Guid.Parse(user.FindFirstValue(KeyId)!),
            user.FindFirstValue(KeyName)!,
            RoleNames.Parse(user.FindFirstValue(Role)!),
            team is null ? null : Guid.Parse(team),
            user.HasClaim(Operator, "true"),
            user.HasClaim(Approver, "true"));
    }

    public static Role? GetRole(this ClaimsPrincipal user) =>
        user.FindFirstValue(Role) is { } role ? RoleNames.Parse(role) : null;
}
