using System.Net;
using System.Security.Cryptography;
using System.Text;

namespace Faultline.Api.Tests.Features.ApiKeys;

public sealed class ApiKeyEndpointsTests(PostgresServer postgres) : ApiTest(postgres)
{
    [Fact]
    public async Task Token_is_shown_once_and_only_its_hash_is_stored()
    {
        var (id, token) = await CreateKeyAsync(Owner, "ci", "operator");

        var stored = await Server.ScalarAsync<string>($"select encode(token_hash, 'hex') from api_keys where id = '{id}'");
        Assert.Equal(Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(token))).ToLowerInvariant(), stored);
        Assert.Equal(0L, await Server.ScalarAsync<long>($"select count(*) from api_keys where position('{token}' in name || lookup) > 0"));

        var listed = await (await Owner.GetAsync($"/api/v1/api-keys/{id}")).ReadJsonAsync();
        Assert.False(listed.TryGetProperty("token", out _));
        Assert.StartsWith(listed.GetProperty("prefix").GetString()!, token, StringComparison.Ordinal);

        var organization = await Server.Client(token).GetAsync("/api/v1/organization");
        Assert.Equal(HttpStatusCode.OK, organization.StatusCode);
    }

    [Fact]
    public async Task Revoked_key_is_refused_with_a_reason()
    {
        var (id, token) = await CreateKeyAsync(Owner, "temp", "viewer");
        Assert.Equal(HttpStatusCode.OK, (await Server.Client(token).GetAsync("/api/v1/teams")).StatusCode);

        var revoke = await Owner.DeleteAsync($"/api/v1/api-keys/{id}");
        Assert.Equal("revoked", (await revoke.ReadJsonAsync()).GetProperty("status").GetString());

        var response = await Server.Client(token).GetAsync("/api/v1/teams");
        var body = await response.ReadJsonAsync();
        AssertProblem(body, response, HttpStatusCode.Unauthorized, "unauthenticated");
        Assert.Contains("revoked", body.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal("Bearer", response.Headers.WwwAuthenticate.ToString());

        // Revoking again changes nothing.
        Assert.Equal(HttpStatusCode.OK, (await Owner.DeleteAsync($"/api/v1/api-keys/{id}")).StatusCode);
        Assert.Equal(1L, await Server.ScalarAsync<long>($"select count(*) from audit_events where action = 'apiKey.revoked' and resource_id = '{id}'"));
    }

    [Fact]
    public async Task Expired_key_is_refused()
    {
        var (id, token) = await CreateKeyAsync(Owner, "short-lived", "viewer", expiresAt: DateTimeOffset.UtcNow.AddMinutes(5));
        Assert.Equal(HttpStatusCode.OK, (await Server.Client(token).GetAsync("/api/v1/teams")).StatusCode);

        // Move the expiry into the past rather than waiting for it.
        await Server.ScalarAsync<long>($"with u as (update api_keys set expires_at = now() - interval '1 second' where id = '{id}' returning 1) select count(*) from u");

        var response = await Server.Client(token).GetAsync("/api/v1/teams");
        var body = await response.ReadJsonAsync();
        AssertProblem(body, response, HttpStatusCode.Unauthorized, "unauthenticated");
        Assert.Contains("expired", body.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(null, "The operation needs an API key")]
    [InlineData("Basic dXNlcjpwYXNz", "Bearer")]
    [InlineData("Bearer not-a-key", "not a Faultline API key")]
    [InlineData("Bearer flk_abcdefghijkm_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", "not valid")]
    public async Task Missing_or_bad_credentials_get_401_problem(string? authorization, string hint)
    {
        var client = Server.Client();
        if (authorization is not null)
        {
            client.DefaultRequestHeaders.TryAddWithoutValidation("Authorization", authorization);
        }

        var response = await client.GetAsync("/api/v1/teams");
        var body = await response.ReadJsonAsync();

        AssertProblem(body, response, HttpStatusCode.Unauthorized, "unauthenticated");
        Assert.Contains(hint.Replace("The operation", "This operation", StringComparison.Ordinal), body.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_key_cannot_issue_a_stronger_or_wider_key()
    {
        var team = await CreateTeamAsync(Owner, "checkout");
        var (_, admin) = await CreateKeyAsync(Owner, "admin", "admin");
        var (_, teamAdmin) = await CreateKeyAsync(Owner, "team-admin", "admin", team);

        var ownerFromAdmin = await Server.Client(admin).PostJsonAsync("/api/v1/api-keys", new { name = "escalate", role = "owner" });
        var orgWideFromTeam = await Server.Client(teamAdmin).PostJsonAsync("/api/v1/api-keys", new { name = "widen", role = "viewer" });

        Assert.Equal(HttpStatusCode.Forbidden, ownerFromAdmin.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, orgWideFromTeam.StatusCode);
        Assert.Equal(0L, await Server.ScalarAsync<long>("select count(*) from api_keys where name in ('escalate', 'widen')"));
    }

    [Fact]
    public async Task Viewer_and_operator_keys_cannot_manage_keys()
    {
        var (_, viewer) = await CreateKeyAsync(Owner, "v", "viewer");

        var response = await Server.Client(viewer).GetAsync("/api/v1/api-keys");

        AssertProblem(await response.ReadJsonAsync(), response, HttpStatusCode.Forbidden, "forbidden");
    }

    [Fact]
    public async Task Expiry_in_the_past_is_refused()
    {
        var response = await Owner.PostJsonAsync("/api/v1/api-keys", new { name = "old", role = "viewer", expiresAt = DateTimeOffset.UtcNow.AddDays(-1) });
        var body = await response.ReadJsonAsync();

        AssertProblem(body, response, HttpStatusCode.BadRequest, "validation");
        Assert.True(body.GetProperty("errors").TryGetProperty("$.expiresAt", out _));
    }
}
