using Faultline.Domain.Tenancy;
using Microsoft.AspNetCore.Authorization;

namespace Faultline.Api.Auth;

/// <summary>One authorization policy per minimum role; finer checks (team scope) happen in the endpoints.</summary>
public static class Policies
{
    public const string Viewer = "role:viewer";
    public const string Operator = "role:operator";
    public const string Admin = "role:admin";
    public const string Owner = "role:owner";

    /// <summary>The agent protocol: an agent token, and only an agent token.</summary>
    public const string Agent = "agent";

    public static void Register(AuthorizationOptions options)
    {
        Add(options, Viewer, Role.Viewer);
        Add(options, Operator, Role.Operator);
        Add(options, Admin, Role.Admin);
        Add(options, Owner, Role.Owner);
        options.AddPolicy(Agent, policy => policy
            .AddAuthenticationSchemes(AgentTokenAuthenticationHandler.SchemeName)
            .RequireAuthenticatedUser()
            .RequireClaim(AgentClaims.TokenId));
    }

    private static void Add(AuthorizationOptions options, string name, Role minimum) =>
        options.AddPolicy(name, policy => policy
            .AddAuthenticationSchemes(ApiKeyAuthenticationHandler.SchemeName)
            .RequireAuthenticatedUser()
            .RequireAssertion(context => context.User.GetRole() is { } role && role >= minimum));
}
