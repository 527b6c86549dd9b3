using System.Text.Encodings.Web;
using Faultline.Api.Observability;
using Faultline.Api.Problems;
using Faultline.Domain.Tenancy;
using Faultline.Storage.Tenancy;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace Faultline.Api.Auth;

/// <summary>
/// Authenticates <c>Authorization: Bearer flk_…</c> against the stored hash. Expired and revoked keys fail
/// with a reason the client can act on; 401 and 403 answers are problem documents.
/// </summary>
public sealed class ApiKeyAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory loggerFactory,
    UrlEncoder encoder,
    ApiKeyStore keys,
    TimeProvider time)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, loggerFactory, encoder)
{
    public const string SchemeName = "ApiKey";
    private const string FailureItem = "faultline.authFailure";

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var header = Request.Headers.Authorization.ToString();
        if (string.IsNullOrEmpty(header))
        {
            return AuthenticateResult.NoResult();
        }

        if (!header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            return Fail("scheme", "Use 'Authorization: Bearer <api key>'.");
        }

        var token = ApiKeyToken.TryParse(header["Bearer ".Length..].Trim());
        if (token is null)
        {
            return Fail("malformed", "The bearer token is not a Faultline API key.");
        }

        var credential = await keys.FindCredentialAsync(token.Lookup, Context.RequestAborted);
        if (credential is null || !token.Matches(credential.TokenHash))
        {
            return Fail("unknown", "The API key is not valid.");
        }

        var now = time.GetUtcNow().UtcDateTime;
        if (credential.RevokedAt is not null)
        {
            return Fail("revoked", "The API key has been revoked.");
        }

        if (credential.ExpiresAt is { } expiresAt && expiresAt <= now)
        {
            return Fail("expired", "The API key has expired.");
        }

        if (credential.LastUsedAt is null || credential.LastUsedAt < now.AddMinutes(-1))
        {
            await keys.TouchAsync(credential.Id, Context.RequestAborted);
        }

        var caller = new Caller(credential.OrganizationId, credential.Id, credential.Name, RoleNames.Parse(credential.Role), credential.TeamId, credential.IsOperatorOrganization, credential.Approver);
        return AuthenticateResult.Success(new AuthenticationTicket(FaultlineClaims.ToPrincipal(caller, SchemeName), SchemeName));
    }

    protected override Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        Response.Headers.WWWAuthenticate = "Bearer";
        var reason = Context.Items.TryGetValue(FailureItem, out var value) && value is string text
            ? text
            : "This operation needs an API key: 'Authorization: Bearer <api key>'.";
        return ProblemWriter.WriteAsync(Context, StatusCodes.Status401Unauthorized, ProblemTypes.Unauthenticated, "Unauthenticated", reason);
    }

    protected override Task HandleForbiddenAsync(AuthenticationProperties properties) =>
        ProblemWriter.WriteAsync(Context, StatusCodes.Status403Forbidden, ProblemTypes.Forbidden, "Forbidden", "The API key's role does not allow this operation.");

    private AuthenticateResult Fail(string kind, string reason)
    {
        FaultlineTelemetry.AuthenticationFailures.Add(1, new KeyValuePair<string, object?>("reason", kind));
        Context.Items[FailureItem] = reason;
        return AuthenticateResult.Fail(reason);
    }
}
