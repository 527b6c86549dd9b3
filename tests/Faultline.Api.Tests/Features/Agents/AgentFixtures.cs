using System.Net;
using Faultline.Sdk.Targets;

namespace Faultline.Api.Tests.Features.Agents;

/// <summary>Agent tokens through the API, and runs with faults seeded straight into the tables the engine writes.</summary>
public static class AgentFixtures
{
    public static readonly Target Demo = Target.Of("noop", "demo");

    /// <summary>Issues an agent token through the API and returns (id, token).</summary>
    public static async Task<(Guid Id, string Token)> CreateAgentTokenAsync(HttpClient client, string name, Guid? teamId = null)
    {
        var response = await client.PostJsonAsync("/api/v1/agent-tokens", new { name, teamId });
        var body = await response.ReadJsonAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Created, body.ToString());
        return (body.GetProperty("agentToken").GetProperty("id").GetGuid(), body.GetProperty("token").GetString()!);
    }

    /// <summary>
    /// A run of <paramref name="organizationId"/> with one fault row per id. Open runs wait for an approval nobody
    /// gives, so no node ever claims them: they stay live (no verdict) for as long as the test needs.
    /// </summary>
    public static async Task<Guid> SeedRunAsync(TestServer server, Guid organizationId, bool live, params (string FaultId, string State)[] faults)
    {
        var runId = Guid.CreateVersion7();
        var sql = live
            ? $"""
              insert into runs (id, organization_id, experiment_name, spec, trigger, requested_by, approval_required)
              values ('{runId}', '{organizationId}', 'seeded', '{"{}"}', 'manual', 'test', true)
              """
            : $"""
              insert into runs (id, organization_id, experiment_name, spec, trigger, requested_by, state, verdict, finished_at)
              values ('{runId}', '{organizationId}', 'seeded', '{"{}"}', 'manual', 'test', 'completed', 'passed', now())
              """;
        await ExecuteAsync(server, sql);
        foreach (var (faultId, state) in faults)
        {
            await ExecuteAsync(server, $"""
                insert into faults (id, run_id, organization_id, step_path, injector, target_kind, target_id, target, parameters, claims, state, expires_at)
                values ('{faultId}', '{runId}', '{organizationId}', '$.spec.method[0]', 'noop', 'noop', 'demo', '{"{}"}', '{"{}"}', '{"{}"}', '{state}', now() + interval '1 hour')
                """);
        }

        return runId;
    }

    public static async Task ExecuteAsync(TestServer server, string sql)
    {
        await using var connection = new Npgsql.NpgsqlConnection(server.ConnectionString);
        await connection.OpenAsync();
        await using var command = new Npgsql.NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }
}
