using System.Text.RegularExpressions;
using Faultline.Api.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Faultline.Api.Tests.Tenancy;

/// <summary>
/// Every route under /api/v1, taken from the server's own endpoint data source, is called with organization
/// B's owner key against organization A's resources. Nothing of A may be seen or changed. A new endpoint
/// without a case below fails this test until someone decides how it must behave.
/// </summary>
public sealed partial class TenantIsolationTests(PostgresServer postgres) : ApiTest(postgres)
{
    private enum Expect
    {
        /// <summary>The route names one of A's resources: B gets 404 and A's resource is untouched.</summary>
        NotFound,

        /// <summary>The route lists or acts on B's own scope: success, and no trace of A in the answer.</summary>
        OwnScope,

        /// <summary>The route is not B's to use at all (its role or organization kind forbids it).</summary>
        Forbidden,

        /// <summary>The route takes another kind of credential (the agent protocol: agent tokens only), so B's API key gets 401.</summary>
        Unauthenticated,
    }

    /// <summary>Keyed by "METHOD pattern"; the body is what a valid request would send.</summary>
    private static readonly Dictionary<string, (Expect Expect, string? Body)> Cases = new()
    {
        ["GET /api/v1/organization/"] = (Expect.OwnScope, null),
        ["PATCH /api/v1/organization/"] = (Expect.OwnScope, """{"name":"B renamed"}"""),
        ["POST /api/v1/organizations/"] = (Expect.Forbidden, """{"name":"Spawned by B"}"""),
        ["GET /api/v1/teams/"] = (Expect.OwnScope, null),
        ["POST /api/v1/teams/"] = (Expect.OwnScope, """{"name":"b-team"}"""),
        ["GET /api/v1/teams/{teamId}"] = (Expect.NotFound, null),
        ["PATCH /api/v1/teams/{teamId}"] = (Expect.NotFound, """{"name":"hijacked"}"""),
        ["DELETE /api/v1/teams/{teamId}"] = (Expect.NotFound, null),
        ["GET /api/v1/teams/{teamId}/members/"] = (Expect.NotFound, null),
        ["POST /api/v1/teams/{teamId}/members/"] = (Expect.NotFound, """{"email":"intruder@example.com","role":"admin"}"""),
        ["GET /api/v1/teams/{teamId}/members/{memberId}"] = (Expect.NotFound, null),
        ["PATCH /api/v1/teams/{teamId}/members/{memberId}"] = (Expect.NotFound, """{"role":"viewer"}"""),
        ["DELETE /api/v1/teams/{teamId}/members/{memberId}"] = (Expect.NotFound, null),
        ["GET /api/v1/api-keys/"] = (Expect.OwnScope, null),
        ["POST /api/v1/api-keys/"] = (Expect.OwnScope, """{"name":"b-key","role":"viewer"}"""),
        ["GET /api/v1/api-keys/{keyId}"] = (Expect.NotFound, null),
        ["DELETE /api/v1/api-keys/{keyId}"] = (Expect.NotFound, null),
        ["GET /api/v1/audit-events/"] = (Expect.OwnScope, null),

        ["GET /api/v1/experiments/"] = (Expect.OwnScope, null),
        ["GET /api/v1/experiments/schema"] = (Expect.OwnScope, null),
        ["POST /api/v1/experiments/"] = (Expect.OwnScope, Features.Experiments.ExperimentDocumentsForTests.PauseProcess("b-experiment")),
        ["POST /api/v1/experiments/validate"] = (Expect.OwnScope, Features.Experiments.ExperimentDocumentsForTests.PauseProcess("b-check")),
        ["GET /api/v1/experiments/{experimentId}"] = (Expect.NotFound, null),
        ["PUT /api/v1/experiments/{experimentId}"] = (Expect.NotFound, Features.Experiments.ExperimentDocumentsForTests.PauseProcess("hijacked")),
        ["DELETE /api/v1/experiments/{experimentId}"] = (Expect.NotFound, null),

        ["POST /api/v1/experiments/{experimentId}/runs"] = (Expect.NotFound, null),
        ["POST /api/v1/experiments/{experimentId}/dry-run"] = (Expect.NotFound, null),
        ["GET /api/v1/runs/"] = (Expect.OwnScope, null),
        ["GET /api/v1/runs/{runId}"] = (Expect.NotFound, null),
        ["GET /api/v1/runs/{runId}/events"] = (Expect.NotFound, null),
        ["POST /api/v1/runs/{runId}/abort"] = (Expect.NotFound, """{"reason":"B says stop"}"""),
        ["POST /api/v1/runs/{runId}/approve"] = (Expect.NotFound, null),
        ["GET /api/v1/halts/"] = (Expect.OwnScope, null),
        ["POST /api/v1/halts/"] = (Expect.OwnScope, """{"scope":"organization","reason":"B stops its own runs"}"""),
        ["POST /api/v1/halts/{haltId}/release"] = (Expect.NotFound, null),
        ["GET /api/v1/teams/{teamId}/policy/"] = (Expect.NotFound, null),
        ["PUT /api/v1/teams/{teamId}/policy/"] = (Expect.NotFound, """{"maxConcurrentRuns":0}"""),
        ["GET /api/v1/teams/{teamId}/secrets/"] = (Expect.NotFound, null),
        ["GET /api/v1/teams/{teamId}/secrets/{name}"] = (Expect.NotFound, null),
        ["PUT /api/v1/teams/{teamId}/secrets/{name}"] = (Expect.NotFound, """{"value":"planted by B"}"""),
        ["DELETE /api/v1/teams/{teamId}/secrets/{name}"] = (Expect.NotFound, null),

        // The platform's own nodes are shown to the operator organization only.
        ["GET /api/v1/cluster/nodes"] = (Expect.Forbidden, null),

        // Installed plugins are the platform's, the same for every organization.
        ["GET /api/v1/plugins/"] = (Expect.OwnScope, null),
        ["GET /api/v1/plugins/{pluginId}"] = (Expect.OwnScope, null),

        ["GET /api/v1/agent-tokens/"] = (Expect.OwnScope, null),
        ["POST /api/v1/agent-tokens/"] = (Expect.OwnScope, """{"name":"b-hosts"}"""),
        ["GET /api/v1/agent-tokens/{agentTokenId}"] = (Expect.NotFound, null),
        ["DELETE /api/v1/agent-tokens/{agentTokenId}"] = (Expect.NotFound, null),
        ["GET /api/v1/agents/"] = (Expect.OwnScope, null),
        ["GET /api/v1/agents/{agentId}"] = (Expect.NotFound, null),
        ["POST /api/v1/agent/sessions"] = (Expect.Unauthenticated, """{"name":"a-secret-agent","hostname":"h","version":"1","injectors":[],"targets":[],"heldFaults":[]}"""),
        ["POST /api/v1/agent/poll"] = (Expect.Unauthenticated, """{"sessionId":"00000000-0000-0000-0000-000000000001","results":[],"heldFaultIds":[],"selfRemovals":[]}"""),
    };

    [Fact]
    public async Task Organization_B_can_neither_see_nor_touch_anything_of_organization_A()
    {
        // Organization A: the operator organization, with one of each resource.
        var teamA = await CreateTeamAsync(Owner, "a-secret-team");
        var memberResponse = await Owner.PostJsonAsync($"/api/v1/teams/{teamA}/members", new { email = "a-member@example.com", role = "admin" });
        var memberA = (await memberResponse.ReadJsonAsync()).GetProperty("id").GetGuid();
        var (keyA, _) = await CreateKeyAsync(Owner, "a-secret-key", "admin");
        var experimentResponse = await Owner.SendRawAsync(HttpMethod.Post, "/api/v1/experiments", Features.Experiments.ExperimentDocumentsForTests.PauseProcess("a-secret-experiment"), "application/yaml");
        var experimentA = (await experimentResponse.ReadJsonAsync()).GetProperty("id").GetGuid();
        await using var health = await HealthEndpoint.StartAsync();
        var runnable = await Owner.CreateExperimentAsync(RunApi.NoopExperiment("a-secret-run", health.Url, duration: "100ms"));
        var runA = await Owner.StartRunAsync(runnable);
        await Owner.WaitForRunAsync(runA, TimeSpan.FromSeconds(30));
        var haltResponse = await Owner.PostJsonAsync("/api/v1/halts", new { scope = "team", teamId = teamA, reason = "a-secret-halt" });
        var haltA = (await haltResponse.ReadJsonAsync()).GetProperty("id").GetGuid();
        var secretResponse = await Owner.SendRawAsync(HttpMethod.Put, $"/api/v1/teams/{teamA}/secrets/a-secret-token", """{"value":"a-secret-value"}""");
        Assert.Equal(System.Net.HttpStatusCode.Created, secretResponse.StatusCode);
        var (agentTokenA, agentTokenSecretA) = await Features.Agents.AgentFixtures.CreateAgentTokenAsync(Owner, "a-secret-agent-token");
        using var agentOfA = new Features.Agents.TestAgent(Server, agentTokenSecretA);
        var agentA = (await agentOfA.HelloAsync(Features.Agents.TestAgent.Hello("a-secret-agent", Sdk.Targets.Target.Of("noop", "a-secret-target")))).AgentId;
        var ids = new Dictionary<string, string>
        {
            ["teamId"] = teamA.ToString(), ["memberId"] = memberA.ToString(), ["keyId"] = keyA.ToString(), ["pluginId"] = "faultline.process",
            ["experimentId"] = experimentA.ToString(), ["runId"] = runA.ToString(), ["haltId"] = haltA.ToString(),
            ["name"] = "a-secret-token",
            ["agentTokenId"] = agentTokenA.ToString(), ["agentId"] = agentA.ToString(),
        };
        var secrets = new[]
        {
            teamA.ToString(), memberA.ToString(), keyA.ToString(), Server.Bootstrap.Organization.Id.ToString(), "a-secret-team", "a-member@example.com", "a-secret-key",
            experimentA.ToString(), "a-secret-experiment", runA.ToString(), "a-secret-run", haltA.ToString(), "a-secret-halt", "a-secret-token", "a-secret-value",
            agentTokenA.ToString(), agentTokenSecretA, "a-secret-agent", agentA.ToString(), "a-secret-target",
        };
        var stateOfA = await SnapshotOfAAsync();

        var (_, ownerB) = await CreateTenantAsync("Organization B");
        var clientB = Server.Client(ownerB);

        var endpoints = Server.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Where(e => e.RoutePattern.RawText?.StartsWith(FaultlineApplication.ApiPrefix, StringComparison.Ordinal) == true)
            .SelectMany(e => (e.Metadata.GetMetadata<IHttpMethodMetadata>()?.HttpMethods ?? []).Select(m => (Method: m, Pattern: Normalize(e.RoutePattern.RawText!))))
            .Distinct()
            .ToList();
        Assert.NotEmpty(endpoints);

        var failures = new List<string>();
        foreach (var (method, pattern) in endpoints)
        {
            var caseKey = $"{method} {pattern}";
            if (!Cases.TryGetValue(caseKey, out var @case))
            {
                failures.Add($"{caseKey}: no tenant-isolation case. Add one to {nameof(TenantIsolationTests)}.{nameof(Cases)}.");
                continue;
            }

            var path = Placeholder().Replace(pattern, match => ids[match.Groups[1].Value]);
            var contentType = @case.Body?.StartsWith("apiVersion", StringComparison.Ordinal) == true ? "application/yaml" : "application/json";
            var response = await clientB.SendRawAsync(new HttpMethod(method), path, @case.Body, contentType, ifMatch: method is "PATCH" or "PUT" or "DELETE" ? "\"1\"" : null);
            var body = await response.Content.ReadAsStringAsync();
            var status = (int)response.StatusCode;

            switch (@case.Expect)
            {
                case Expect.NotFound when status != StatusCodes.Status404NotFound:
                    failures.Add($"{caseKey}: expected 404 for another organization's resource, got {status}: {body}");
                    break;
                case Expect.OwnScope when status is < 200 or > 299:
                    failures.Add($"{caseKey}: expected success in B's own scope, got {status}: {body}");
                    break;
                case Expect.Forbidden when status != StatusCodes.Status403Forbidden:
                    failures.Add($"{caseKey}: expected 403, got {status}: {body}");
                    break;
                case Expect.Unauthenticated when status != StatusCodes.Status401Unauthorized:
                    failures.Add($"{caseKey}: expected 401, got {status}: {body}");
                    break;
                default:
                    break;
            }

            // The problem's "instance" echoes the path B sent; anything else of A's in the answer is a leak.
            var answer = body.Replace(path, "", StringComparison.Ordinal);
            foreach (var secret in secrets.Where(s => answer.Contains(s, StringComparison.OrdinalIgnoreCase)))
            {
                failures.Add($"{caseKey}: the answer to B mentions A's '{secret}': {body}");
            }
        }

        Assert.True(failures.Count == 0, string.Join('\n', failures));
        Assert.Equal(stateOfA, await SnapshotOfAAsync());
    }

    /// <summary>Everything A owns, as one comparable string: any change by B shows up here.</summary>
    private async Task<string> SnapshotOfAAsync()
    {
        var org = Server.Bootstrap.Organization.Id;
        return string.Join(" | ",
            await Server.ScalarAsync<string>($"select coalesce(string_agg(id || ':' || name || ':' || version, ',' order by id), '') from teams where organization_id = '{org}'"),
            await Server.ScalarAsync<string>($"select coalesce(string_agg(id || ':' || email || ':' || role || ':' || version, ',' order by id), '') from members where organization_id = '{org}'"),
            await Server.ScalarAsync<string>($"select coalesce(string_agg(id || ':' || name || ':' || coalesce(revoked_at::text, 'active'), ',' order by id), '') from api_keys where organization_id = '{org}'"),
            await Server.ScalarAsync<string>($"select name || ':' || version from organizations where id = '{org}'"),
            await Server.ScalarAsync<string>($"select coalesce(string_agg(id || ':' || name || ':' || version, ',' order by id), '') from experiments where organization_id = '{org}'"),
            await Server.ScalarAsync<string>($"select coalesce(string_agg(id || ':' || state || ':' || coalesce(verdict, '') || ':' || coalesce(abort_requested_at::text, '') || ':' || coalesce(approved_by, ''), ',' order by id), '') from runs where organization_id = '{org}'"),
            await Server.ScalarAsync<string>($"select coalesce(string_agg(id || ':' || coalesce(released_at::text, 'active'), ',' order by id), '') from halt_switches where organization_id = '{org}'"),
            await Server.ScalarAsync<string>($"select coalesce(string_agg(team_id || ':' || version, ',' order by team_id), '') from team_policies where organization_id = '{org}'"),
            await Server.ScalarAsync<string>($"select coalesce(string_agg(id || ':' || name || ':' || version || ':' || encode(ciphertext, 'hex'), ',' order by id), '') from secrets where organization_id = '{org}'"),
            await Server.ScalarAsync<string>($"select coalesce(string_agg(id || ':' || name || ':' || coalesce(revoked_at::text, 'active'), ',' order by id), '') from agent_tokens where organization_id = '{org}'"),
            await Server.ScalarAsync<string>($"select coalesce(string_agg(id || ':' || name || ':' || session_id || ':' || targets::text, ',' order by id), '') from agents where organization_id = '{org}'"));
    }

    /// <summary>"{teamId:guid}" → "{teamId}", so cases read like the API reference.</summary>
    private static string Normalize(string pattern) => ConstrainedPlaceholder().Replace(pattern, "{$1}");

    [GeneratedRegex(@"\{(\w+)\}")]
    private static partial Regex Placeholder();

    [GeneratedRegex(@"\{(\w+):[^}]+\}")]
    private static partial Regex ConstrainedPlaceholder();
}
