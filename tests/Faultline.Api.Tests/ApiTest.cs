using System.Net;
using System.Text.Json;
using Faultline.Api.Hosting;

namespace Faultline.Api.Tests;

/// <summary>A real server over a fresh database for each test class.</summary>
public abstract class ApiTest(PostgresServer postgres) : IAsyncLifetime
{
    private TestServer? _server;

    protected PostgresServer Postgres { get; } = postgres;

    protected TestServer Server => _server ?? throw new InvalidOperationException("Server not started.");

    protected HttpClient Owner => Server.Client(Server.OwnerKey);

    protected virtual RateLimitOptions? RateLimit => null;

    /// <summary>The engine's settings for this class's server; null for <see cref="TestServer.FastEngine"/>.</summary>
    protected virtual Engine.Runs.EngineOptions? Engine => null;

    /// <summary>The plugins of this class's server; null for the staged ones with production timeouts.</summary>
    protected virtual Engine.Plugins.PluginHostOptions? Plugins => null;

    /// <summary>Where this class's server also writes its logs (down to Debug); null for none.</summary>
    protected virtual CapturedLogs? Logs => null;

    /// <summary>The agent protocol's timing for this class's server; null for the production defaults.</summary>
    protected virtual Engine.Agents.AgentOptions? Agents => null;

    public virtual async ValueTask InitializeAsync() =>
        _server = await TestServer.StartAsync(Postgres, GetType().Name, RateLimit, engine: Engine, plugins: Plugins, logs: Logs, agents: Agents);

    public virtual async ValueTask DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }

        GC.SuppressFinalize(this);
    }

    /// <summary>Creates a team through the API and returns its id.</summary>
    protected async Task<Guid> CreateTeamAsync(HttpClient client, string name)
    {
        var response = await client.PostJsonAsync("/api/v1/teams", new { name });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (await response.ReadJsonAsync()).GetProperty("id").GetGuid();
    }

    /// <summary>Issues a key through the API and returns (id, token).</summary>
    protected static async Task<(Guid Id, string Token)> CreateKeyAsync(HttpClient client, string name, string role, Guid? teamId = null, DateTimeOffset? expiresAt = null)
    {
        var response = await client.PostJsonAsync("/api/v1/api-keys", new { name, role, teamId, expiresAt });
        var body = await response.ReadJsonAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Created, body.ToString());
        return (body.GetProperty("key").GetProperty("id").GetGuid(), body.GetProperty("token").GetString()!);
    }

    /// <summary>Creates a second tenant through the operator's owner key; returns its owner token and id.</summary>
    protected async Task<(Guid OrganizationId, string OwnerToken)> CreateTenantAsync(string name)
    {
        var response = await Owner.PostJsonAsync("/api/v1/organizations", new { name });
        var body = await response.ReadJsonAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Created, body.ToString());
        return (body.GetProperty("organization").GetProperty("id").GetGuid(), body.GetProperty("ownerKey").GetProperty("token").GetString()!);
    }

    protected static void AssertProblem(JsonElement body, HttpResponseMessage response, HttpStatusCode status, string typeSuffix)
    {
        Assert.True(status == response.StatusCode, $"expected {(int)status}, got {(int)response.StatusCode}: {body}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal($"https://faultline.dev/problems/{typeSuffix}", body.GetProperty("type").GetString());
        Assert.Equal((int)status, body.GetProperty("status").GetInt32());
    }
}
