using System.Net;
using Faultline.Domain.Agents;
using Faultline.Sdk.Targets;
using Faultline.Storage.Agents;
using Microsoft.Extensions.DependencyInjection;

namespace Faultline.Api.Tests.Features.Agents;

public sealed class AgentSessionTests(PostgresServer postgres) : ApiTest(postgres)
{
    [Fact]
    public async Task Hello_registers_the_agent_with_its_targets_and_host_capabilities()
    {
        var (_, token) = await AgentFixtures.CreateAgentTokenAsync(Owner, "edge-hosts");
        using var agent = new TestAgent(Server, token);
        var session = await agent.HelloAsync(TestAgent.Hello("host-1", AgentFixtures.Demo, Target.Of("process", "nginx")));
        Assert.Equal(15_000, session.GraceMs);
        Assert.Equal(5_000, session.PollWaitMs);

        var listed = Assert.Single((await (await Owner.GetAsync("/api/v1/agents")).ReadJsonAsync()).GetProperty("items").EnumerateArray());
        Assert.Equal(session.AgentId, listed.GetProperty("id").GetGuid());
        var one = await (await Owner.GetAsync($"/api/v1/agents/{session.AgentId}")).ReadJsonAsync();
        Assert.Equal("host-1", one.GetProperty("name").GetString());
        Assert.Equal("host-1.example.internal", one.GetProperty("hostname").GetString());
        Assert.Equal("0.1.0-test", one.GetProperty("version").GetString());
        Assert.True(one.GetProperty("connected").GetBoolean());
        var injector = Assert.Single(one.GetProperty("injectors").EnumerateArray());
        Assert.Equal("noop", injector.GetProperty("name").GetString());
        Assert.True(injector.GetProperty("host").GetProperty("features").GetProperty("tracking").GetBoolean());
        Assert.Equal(["noop/demo", "process/nginx"], one.GetProperty("targets").EnumerateArray().Select(t => $"{t.GetProperty("kind")}/{t.GetProperty("id")}"));

        // A second hello rewrites the same agent with a new session; the old session is refused with 404.
        var again = await agent.HelloAsync(TestAgent.Hello("host-1", AgentFixtures.Demo));
        Assert.Equal(session.AgentId, again.AgentId);
        Assert.NotEqual(session.SessionId, again.SessionId);
        var stale = await agent.SendPollAsync(new AgentPoll(session.SessionId, [], [], []));
        AssertProblem(await stale.ReadJsonAsync(), stale, HttpStatusCode.NotFound, "not-found");
        Assert.Equal(2L, await Server.ScalarAsync<long>($"select count(*) from audit_events where action = 'agent.connected' and resource_id = '{session.AgentId}'"));

        // An agent that stops polling is shown as disconnected once its grace has passed.
        await AgentFixtures.ExecuteAsync(Server, $"update agents set last_poll_at = now() - interval '1 minute' where id = '{session.AgentId}'");
        Assert.False((await (await Owner.GetAsync($"/api/v1/agents/{session.AgentId}")).ReadJsonAsync()).GetProperty("connected").GetBoolean());
    }

    [Fact]
    public async Task Renewals_name_only_faults_of_live_runs_of_the_agents_own_organization()
    {
        var orgA = Server.Bootstrap.Organization.Id;
        var (orgB, ownerB) = await CreateTenantAsync("Organization B");
        await AgentFixtures.SeedRunAsync(Server, orgA, live: true, ("f-live", "active"), ("f-removed", "removed"), ("f-removing", "removing"));
        await AgentFixtures.SeedRunAsync(Server, orgA, live: false, ("f-finished", "active"));
        await AgentFixtures.SeedRunAsync(Server, orgB, live: true, ("f-of-b", "active"));
        string[] held = ["f-live", "f-removed", "f-removing", "f-finished", "f-of-b", "f-unknown"];

        var (_, token) = await AgentFixtures.CreateAgentTokenAsync(Owner, "edge-hosts");
        using var agent = new TestAgent(Server, token);
        var hello = TestAgent.Hello("host-1", AgentFixtures.Demo) with
        {
            HeldFaults = held.Select(id => new HeldFault(id, null, "noop", AgentFixtures.Demo, null, DateTimeOffset.UtcNow.AddMinutes(5))).ToList(),
        };
        var before = DateTimeOffset.UtcNow;
        var session = await agent.HelloAsync(hello);
        Assert.Equal(["f-live", "f-removing"], session.Renewals.Select(r => r.FaultId).Order());

        var poll = await agent.PollAsync(held: held);
        Assert.Equal(["f-live", "f-removing"], poll.Renewals.Select(r => r.FaultId).Order());
        Assert.All(poll.Renewals, r => Assert.InRange(r.GraceUntil, before.AddSeconds(14), DateTimeOffset.UtcNow.AddSeconds(16)));

        // B's agent holding A's fault gets no renewal for it either.
        var (_, tokenB) = await AgentFixtures.CreateAgentTokenAsync(Server.Client(ownerB), "b-hosts");
        using var agentB = new TestAgent(Server, tokenB);
        var sessionB = await agentB.HelloAsync(hello);
        Assert.Equal(["f-of-b"], sessionB.Renewals.Select(r => r.FaultId));
        Assert.NotEqual(session.AgentId, sessionB.AgentId);
    }

    [Fact]
    public async Task Self_removals_are_kept_for_the_run_owner_and_only_for_the_agents_own_organization()
    {
        var (orgB, _) = await CreateTenantAsync("Organization B");
        var runA = await AgentFixtures.SeedRunAsync(Server, Server.Bootstrap.Organization.Id, live: true, ("f-a", "active"));
        await AgentFixtures.SeedRunAsync(Server, orgB, live: true, ("f-b", "active"));
        var (_, token) = await AgentFixtures.CreateAgentTokenAsync(Owner, "edge-hosts");
        using var agent = new TestAgent(Server, token);
        await agent.HelloAsync(TestAgent.Hello("host-1", AgentFixtures.Demo));

        SelfRemoval[] removals =
        [
            new("f-a", "grace-expired", "qdisc gone: tc qdisc show dev lo → noqueue", DateTimeOffset.UtcNow),
            new("f-b", "grace-expired", "planted", DateTimeOffset.UtcNow),
        ];
        await agent.PollAsync(selfRemovals: removals);
        await agent.PollAsync(selfRemovals: removals);

        Assert.Equal($"f-a:{runA}:grace-expired", await Server.ScalarAsync<string>(
            "select string_agg(fault_id || ':' || run_id || ':' || reason, ',') from agent_self_removals"));

        // The faults row is the owner's to change, under its lease; the owner picks the removal up once.
        Assert.Equal("active", await Server.ScalarAsync<string>("select state from faults where id = 'f-a'"));
        var store = Server.Services.GetRequiredService<AgentStore>();
        var pending = Assert.Single(await store.PendingSelfRemovalsAsync(runA, TestContext.Current.CancellationToken));
        Assert.Equal(("f-a", "qdisc gone: tc qdisc show dev lo → noqueue"), (pending.FaultId, pending.Evidence));
        await store.MarkSelfRemovalRecordedAsync("f-a", TestContext.Current.CancellationToken);
        Assert.Empty(await store.PendingSelfRemovalsAsync(runA, TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task A_team_bound_token_cannot_take_over_another_teams_agent()
    {
        var teamA = await CreateTeamAsync(Owner, "team-a");
        var teamB = await CreateTeamAsync(Owner, "team-b");
        var (_, tokenA) = await AgentFixtures.CreateAgentTokenAsync(Owner, "a-hosts", teamA);
        var (_, tokenB) = await AgentFixtures.CreateAgentTokenAsync(Owner, "b-hosts", teamB);
        using var agentA = new TestAgent(Server, tokenA);
        using var agentB = new TestAgent(Server, tokenB);
        var session = await agentA.HelloAsync(TestAgent.Hello("shared-name", AgentFixtures.Demo));

        var takeover = await agentB.SendHelloAsync(TestAgent.Hello("shared-name", Target.Of("noop", "elsewhere")));
        var body = await takeover.ReadJsonAsync();
        AssertProblem(body, takeover, HttpStatusCode.Conflict, "conflict");
        Assert.True(body.GetProperty("errors").TryGetProperty("$.name", out _), body.ToString());
        Assert.Equal(teamA.ToString(), await Server.ScalarAsync<string>($"select team_id::text from agents where id = '{session.AgentId}'"));
        Assert.Equal(session.SessionId.ToString(), await Server.ScalarAsync<string>($"select session_id::text from agents where id = '{session.AgentId}'"));
    }

    [Fact]
    public async Task Bad_messages_get_400_problems_naming_the_field_and_store_nothing()
    {
        var (_, token) = await AgentFixtures.CreateAgentTokenAsync(Owner, "edge-hosts");
        using var agent = new TestAgent(Server, token);
        var client = TestAgent.Client(Server, token);

        await ExpectFieldAsync(await agent.SendHelloAsync(TestAgent.Hello("") with { Name = null! }), "$.name");
        await ExpectFieldAsync(await agent.SendHelloAsync(TestAgent.Hello("bad name!")), "$.name");
        await ExpectFieldAsync(await agent.SendHelloAsync(TestAgent.Hello("host-1", Target.Of("Bad Kind", "x"))), "$.targets[0].kind");
        await ExpectFieldAsync(await agent.SendHelloAsync(TestAgent.Hello("host-1", Target.Of("noop", ""))), "$.targets[0].id");
        var tooMany = Enumerable.Range(0, 1001).Select(i => Target.Of("noop", $"t{i}")).ToArray();
        await ExpectFieldAsync(await agent.SendHelloAsync(TestAgent.Hello("host-1", tooMany)), "$.targets");
        await ExpectFieldAsync(await client.SendRawAsync(HttpMethod.Post, AgentProtocol.SessionsPath, """{"name":"host-1","hostname":"h","version":"1","injectors":[{"name":"noop","targetKinds":["no op"]}],"targets":[],"heldFaults":[]}"""), "$.injectors[0].targetKinds[0]");
        await ExpectFieldAsync(await client.SendRawAsync(HttpMethod.Post, AgentProtocol.SessionsPath, """{"name":"host-1","hostname":"h","version":"1","injectors":[],"targets":7,"heldFaults":[]}"""), "$.targets", "malformed-request");
        await ExpectFieldAsync(await client.SendRawAsync(HttpMethod.Post, AgentProtocol.PollPath, """{"results":[],"heldFaultIds":[],"selfRemovals":[]}"""), "$.sessionId");

        var unsupported = await client.SendRawAsync(HttpMethod.Post, AgentProtocol.SessionsPath, "name=host-1", "text/plain");
        AssertProblem(await unsupported.ReadJsonAsync(), unsupported, HttpStatusCode.UnsupportedMediaType, "unsupported-media-type");
        Assert.Equal(0L, await Server.ScalarAsync<long>("select count(*) from agents"));

        var unknownSession = await agent.SendPollAsync(new AgentPoll(Guid.NewGuid(), [], [], []));
        AssertProblem(await unknownSession.ReadJsonAsync(), unknownSession, HttpStatusCode.NotFound, "not-found");
    }

    private static async Task ExpectFieldAsync(HttpResponseMessage response, string field, string type = "validation")
    {
        var body = await response.ReadJsonAsync();
        AssertProblem(body, response, HttpStatusCode.BadRequest, type);
        Assert.True(body.GetProperty("errors").TryGetProperty(field, out _), $"expected an error at {field}: {body}");
    }
}
