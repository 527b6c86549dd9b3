using System.Text.Encodings.Web;
using Faultline.Api.Observability;
using Faultline.Api.Problems;
using Faultline.Domain.Agents;
using Faultline.Storage.Agents;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace Faultline.Api.Auth;

/// <summary>
/// Authenticates <c>Authorization: Bearer fla_…</c> for the agent protocol only: a scheme of its own, so an API key
/// never opens the protocol and an agent token never opens the rest of the API. Revoked tokens fail at once.
/// </summary>
public sealed class AgentTokenAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory loggerFactory,
    UrlEncoder encoder,
    AgentTokenStore tokens,
    TimeProvider time)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, loggerFactory, encoder)
{
    public const string SchemeName = "AgentToken";
    private const string FailureItem = "faultline.agentAuthFailure";

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var header = Request.Headers.Authorization.ToString();
        if (string.IsNullOrEmpty(header))
        {
            return AuthenticateResult.NoResult();
        }

        if (!header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            return Fail("scheme", "Use 'Authorization: Bearer <agent token>'.");
        }

        var token = AgentToken.TryParse(header["Bearer ".Length..].Trim());
        if (token is null)
        {
            return Fail("malformed", "The bearer token is not a Faultline agent token (fla_…); API keys do not open the agent protocol.");
        }

        var credential = await tokens.FindCredentialAsync(token.Lookup, Context.RequestAborted);
        if (credential is null || !token.Matches(credential.SecretHash))
        {
            return Fail("unknown", "The agent token is not valid.");
        }

        if (credential.RevokedAt is not null)
        {
            return Fail("revoked", "The agent token has been revoked.");
        }

        if (credential.LastUsedAt is null || credential.LastUsedAt < time.GetUtcNow().UtcDateTime.AddMinutes(-1))
        {
            await tokens.TouchAsync(credential.Id, Context.RequestAborted);
        }

        var caller = new AgentCaller(credential.OrganizationId, credential.Id, credential.Name, credential.TeamId);
        return AuthenticateResult.Success(new AuthenticationTicket(AgentClaims.ToPrincipal(caller, SchemeName), SchemeName));
    }

    protected override Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        Response.Headers.WWWAuthenticate = "Bearer";
        var reason = Context.Items.TryGetValue(FailureItem, out var value) && value is string text
            ? text
            : "The agent protocol needs an agent token: 'Authorization: Bearer fla_…'.";
        return ProblemWriter.WriteAsync(Context, StatusCodes.Status401Unauthorized, ProblemTypes.Unauthenticated, "Unauthenticated", reason);
    }

    protected override Task HandleForbiddenAsync(AuthenticationProperties properties) =>
        ProblemWriter.WriteAsync(Context, StatusCodes.Status403Forbidden, ProblemTypes.Forbidden, "Forbidden", "The agent token does not allow this operation.");

    private AuthenticateResult Fail(string kind, string reason)
    {
        FaultlineTelemetry.AuthenticationFailures.Add(1, new KeyValuePair<string, object?>("reason", $"agent-{kind}"));
        Context.Items[FailureItem] = reason;
        return AuthenticateResult.Fail(reason);
    }
}
