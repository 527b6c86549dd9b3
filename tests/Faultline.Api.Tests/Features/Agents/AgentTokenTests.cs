using System.Net;
using System.Security.Cryptography;
using System.Text;
using Faultline.Domain.Agents;

namespace Faultline.Api.Tests.Features.Agents;

public sealed class AgentTokenTests(PostgresServer postgres) : ApiTest(postgres)
{
    [Fact]
    public async Task Token_is_shown_once_stored_as_a_hash_and_revocation_closes_the_protocol()
    {
        var (id, token) = await AgentFixtures.CreateAgentTokenAsync(Owner, "edge-hosts");
        Assert.StartsWith($"{AgentToken.Scheme}_", token, StringComparison.Ordinal);

        var stored = await Server.ScalarAsync<string>($"select encode(secret_hash, 'hex') from agent_tokens where id = '{id}'");
        Assert.Equal(Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(token))).ToLowerInvariant(), stored);

        var listing = (await (await Owner.GetAsync("/api/v1/agent-tokens")).Content.ReadAsStringAsync());
        Assert.Contains(id.ToString(), listing, StringComparison.Ordinal);
        Assert.DoesNotContain(token, listing, StringComparison.Ordinal);
        var one = await (await Owner.GetAsync($"/api/v1/agent-tokens/{id}")).ReadJsonAsync();
        Assert.False(one.TryGetProperty("token", out _));
        Assert.StartsWith(one.GetProperty("prefix").GetString()!, token, StringComparison.Ordinal);
        Assert.Equal("active", one.GetProperty("status").GetString());

        using var agent = new TestAgent(Server, token);
        var session = await agent.HelloAsync(TestAgent.Hello("host-1", AgentFixtures.Demo));
        Assert.Empty((await agent.PollAsync()).Commands);

        var revoke = await Owner.DeleteAsync($"/api/v1/agent-tokens/{id}");
        Assert.Equal(HttpStatusCode.OK, revoke.StatusCode);
        Assert.Equal("revoked", (await revoke.ReadJsonAsync()).GetProperty("status").GetString());

        var poll = await agent.SendPollAsync(new AgentPoll(session.SessionId, [], [], []));
        AssertProblem(await poll.ReadJsonAsync(), poll, HttpStatusCode.Unauthorized, "unauthenticated");
        var hello = await agent.SendHelloAsync(TestAgent.Hello("host-1"));
        AssertProblem(await hello.ReadJsonAsync(), hello, HttpStatusCode.Unauthorized, "unauthenticated");

        // Both changes are audited, and no audit entry holds the token.
        var audit = await Server.ScalarAsync<string>(
            $"select string_agg(action, ',' order by id) from audit_events where resource_id = '{id}'");
        Assert.Equal("agentToken.created,agentToken.revoked", audit);
        Assert.Equal(0L, await Server.ScalarAsync<long>($"select count(*) from audit_events where position('{token}' in summary::text) > 0"));
    }

    [Fact]
    public async Task Api_keys_never_open_the_agent_protocol_and_agent_tokens_open_nothing_else()
    {
        var (_, token) = await AgentFixtures.CreateAgentTokenAsync(Owner, "edge-hosts");

        foreach (var path in new[] { AgentProtocol.SessionsPath, AgentProtocol.PollPath })
        {
            var response = await Owner.SendRawAsync(HttpMethod.Post, path, """{"sessionId":"00000000-0000-0000-0000-000000000001"}""");
            AssertProblem(await response.ReadJsonAsync(), response, HttpStatusCode.Unauthorized, "unauthenticated");
        }

        var asAgent = Server.Client(token);
        foreach (var path in new[] { "/api/v1/experiments", "/api/v1/agents", "/api/v1/agent-tokens", "/api/v1/organization" })
        {
            var response = await asAgent.GetAsync(path);
            AssertProblem(await response.ReadJsonAsync(), response, HttpStatusCode.Unauthorized, "unauthenticated");
        }

        Assert.Equal(0L, await Server.ScalarAsync<long>("select count(*) from agents"));
    }

    [Fact]
    public async Task Only_admins_issue_tokens_and_a_team_bound_admin_only_for_its_team()
    {
        var teamA = await CreateTeamAsync(Owner, "team-a");
        var teamB = await CreateTeamAsync(Owner, "team-b");
        var (_, operatorKey) = await CreateKeyAsync(Owner, "op", "operator");
        var (_, teamAdmin) = await CreateKeyAsync(Owner, "team-a-admin", "admin", teamA);

        var byOperator = await Server.Client(operatorKey).PostJsonAsync("/api/v1/agent-tokens", new { name = "nope" });
        AssertProblem(await byOperator.ReadJsonAsync(), byOperator, HttpStatusCode.Forbidden, "forbidden");

        var own = await Server.Client(teamAdmin).PostJsonAsync("/api/v1/agent-tokens", new { name = "team-a-hosts" });
        Assert.Equal(HttpStatusCode.Created, own.StatusCode);
        Assert.Equal(teamA, (await own.ReadJsonAsync()).GetProperty("agentToken").GetProperty("teamId").GetGuid());

        var other = await Server.Client(teamAdmin).PostJsonAsync("/api/v1/agent-tokens", new { name = "team-b-hosts", teamId = teamB });
        AssertProblem(await other.ReadJsonAsync(), other, HttpStatusCode.NotFound, "not-found");

        var missingName = await Owner.PostJsonAsync("/api/v1/agent-tokens", new { teamId = teamA });
        var problem = await missingName.ReadJsonAsync();
        AssertProblem(problem, missingName, HttpStatusCode.BadRequest, "validation");
        Assert.True(problem.GetProperty("errors").TryGetProperty("$.name", out _), problem.ToString());
    }
}
