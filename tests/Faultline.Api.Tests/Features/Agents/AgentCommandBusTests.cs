using System.Diagnostics;
using Faultline.Domain.Agents;
using Faultline.Engine.Agents;
using Faultline.Sdk.Targets;
using Microsoft.Extensions.DependencyInjection;

namespace Faultline.Api.Tests.Features.Agents;

/// <summary>The engine's seams (<see cref="IAgentCommandBus"/>, <see cref="IAgentDirectory"/>) against agents speaking the protocol.</summary>
public sealed class AgentCommandBusTests(PostgresServer postgres) : ApiTest(postgres)
{
    private IAgentCommandBus Bus => Server.Services.GetRequiredService<IAgentCommandBus>();

    private IAgentDirectory Directory => Server.Services.GetRequiredService<IAgentDirectory>();

    private Guid OrgA => Server.Bootstrap.Organization.Id;

    [Fact]
    public async Task A_held_poll_returns_early_with_a_command_queued_on_another_node_and_the_result_comes_back()
    {
        await using var second = await TestServer.StartSecondNodeAsync(Server);
        var (_, token) = await AgentFixtures.CreateAgentTokenAsync(Owner, "edge-hosts");
        using var agent = new TestAgent(second, token);
        var session = await agent.HelloAsync(TestAgent.Hello("host-1", AgentFixtures.Demo));

        // With nothing to send, a poll is held for the poll wait.
        var idle = Stopwatch.StartNew();
        Assert.Empty((await agent.PollAsync()).Commands);
        Assert.True(idle.Elapsed >= TimeSpan.FromMilliseconds(session.PollWaitMs - 250), $"an idle poll returned after {idle.ElapsedMilliseconds} ms");

        // The agent polls node 2; the engine on node 1 sends. The poll is in its wait once it has touched the agent row.
        var touched = await Server.ScalarAsync<DateTime>($"select last_poll_at from agents where id = '{session.AgentId}'");
        var held = Stopwatch.StartNew();
        var polling = agent.PollAsync();
        await Poll.UntilAsync(
            async () => await Server.ScalarAsync<DateTime>($"select last_poll_at from agents where id = '{session.AgentId}'") > touched,
            TimeSpan.FromSeconds(5), "the poll to reach the server");
        var command = new AgentCommand(Guid.NewGuid(), AgentCommandKind.ListLeftovers, "noop", AgentFixtures.Demo, null, null);
        var sending = Bus.SendAsync(OrgA, session.AgentId, null, command, TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);

        var response = await polling;
        Assert.True(held.Elapsed < TimeSpan.FromMilliseconds(session.PollWaitMs / 2), $"the held poll returned after {held.ElapsedMilliseconds} ms");
        var received = Assert.Single(response.Commands);
        Assert.Equal(command.Id, received.Id);
        Assert.Equal(AgentCommandKind.ListLeftovers, received.Kind);
        Assert.Equal("taken", await Server.ScalarAsync<string>($"select state from agent_commands where id = '{command.Id}'"));

        // The result travels back on the agent's next poll, to the sender on the other node.
        var result = new CommandResult(command.Id, null, null, null, null, null, null, []);
        await agent.PollAsync(results: [result]);
        var answered = await sending;
        Assert.Equal(command.Id, answered.CommandId);
        Assert.NotNull(answered.Leftovers);
        Assert.Equal("done", await Server.ScalarAsync<string>($"select state from agent_commands where id = '{command.Id}'"));
    }

    [Fact]
    public async Task A_command_nobody_takes_is_withdrawn_when_the_bus_gives_up()
    {
        var (_, token) = await AgentFixtures.CreateAgentTokenAsync(Owner, "edge-hosts");
        using var agent = new TestAgent(Server, token);
        var session = await agent.HelloAsync(TestAgent.Hello("host-1", AgentFixtures.Demo));
        var command = new AgentCommand(Guid.NewGuid(), AgentCommandKind.Verify, "noop", AgentFixtures.Demo, null, null);

        var timer = Stopwatch.StartNew();
        await Assert.ThrowsAsync<AgentUnavailableException>(() =>
            Bus.SendAsync(OrgA, session.AgentId, null, command, TimeSpan.FromMilliseconds(800), TestContext.Current.CancellationToken));
        Assert.InRange(timer.Elapsed, TimeSpan.FromMilliseconds(700), TimeSpan.FromSeconds(5));

        Assert.Equal("withdrawn", await Server.ScalarAsync<string>($"select state from agent_commands where id = '{command.Id}'"));
        Assert.Empty((await agent.PollAsync()).Commands);

        // A result sent for a withdrawn command changes nothing.
        await agent.PollAsync(results: [new CommandResult(command.Id, "too late", null, null, null, null, null, null)]);
        Assert.Equal("withdrawn", await Server.ScalarAsync<string>($"select state from agent_commands where id = '{command.Id}'"));
    }

    [Fact]
    public async Task A_command_for_a_target_the_agent_did_not_report_or_for_another_organizations_agent_is_refused_and_audited()
    {
        var (orgB, ownerB) = await CreateTenantAsync("Organization B");
        var (_, tokenA) = await AgentFixtures.CreateAgentTokenAsync(Owner, "a-hosts");
        var (_, tokenB) = await AgentFixtures.CreateAgentTokenAsync(Server.Client(ownerB), "b-hosts");
        using var agentA = new TestAgent(Server, tokenA);
        using var agentB = new TestAgent(Server, tokenB);
        var sessionA = await agentA.HelloAsync(TestAgent.Hello("host-a", AgentFixtures.Demo));
        var sessionB = await agentB.HelloAsync(TestAgent.Hello("host-b", AgentFixtures.Demo, Target.Of("noop", "only-b")));

        var unreported = new AgentCommand(Guid.NewGuid(), AgentCommandKind.Validate, "noop", Target.Of("noop", "only-b"), null, null);
        var refused = await Assert.ThrowsAsync<ArgumentException>(() =>
            Bus.SendAsync(OrgA, sessionA.AgentId, null, unreported, TimeSpan.FromSeconds(2), TestContext.Current.CancellationToken));
        Assert.Contains("did not report target noop/only-b", refused.Message, StringComparison.Ordinal);

        var crossTenant = new AgentCommand(Guid.NewGuid(), AgentCommandKind.Validate, "noop", AgentFixtures.Demo, null, null);
        await Assert.ThrowsAsync<ArgumentException>(() =>
            Bus.SendAsync(OrgA, sessionB.AgentId, null, crossTenant, TimeSpan.FromSeconds(2), TestContext.Current.CancellationToken));

        Assert.Equal(0L, await Server.ScalarAsync<long>("select count(*) from agent_commands"));
        Assert.Equal(2L, await Server.ScalarAsync<long>($"select count(*) from audit_events where action = 'agentCommand.refused' and organization_id = '{OrgA}'"));
        Assert.Equal(0L, await Server.ScalarAsync<long>($"select count(*) from audit_events where action = 'agentCommand.refused' and organization_id = '{orgB}'"));
        Assert.Empty((await agentB.PollAsync()).Commands);
    }

    [Fact]
    public async Task The_directory_lists_only_connected_agents_of_the_organization_yet_keeps_an_away_agents_targets_its_own()
    {
        var (orgB, ownerB) = await CreateTenantAsync("Organization B");
        var (_, tokenA) = await AgentFixtures.CreateAgentTokenAsync(Owner, "a-hosts");
        var (_, tokenB) = await AgentFixtures.CreateAgentTokenAsync(Server.Client(ownerB), "b-hosts");
        using var agentA = new TestAgent(Server, tokenA);
        using var agentB = new TestAgent(Server, tokenB);
        var sessionA = await agentA.HelloAsync(TestAgent.Hello("host-a", AgentFixtures.Demo, Target.Of("process", "nginx")));
        await agentB.HelloAsync(TestAgent.Hello("host-b", AgentFixtures.Demo, Target.Of("noop", "only-b")));
        var cancel = TestContext.Current.CancellationToken;

        var found = await Directory.FindAsync(OrgA, "noop", "demo", cancel);
        Assert.Equal(sessionA.AgentId, found?.AgentId);
        Assert.Equal(["noop"], found!.Injectors);
        Assert.Null(await Directory.FindAsync(OrgA, "noop", "only-b", cancel));
        Assert.Equal(["noop/demo", "process/nginx"], (await Directory.ListTargetsAsync(OrgA, cancel)).Select(t => t.Target.ToString()).Order());
        Assert.Equal(["noop/demo", "noop/only-b"], (await Directory.ListTargetsAsync(orgB, cancel)).Select(t => t.Target.ToString()).Order());

        Assert.True(found.Connected);

        // Away: no longer a candidate for selectors, but still the owner of its targets, so a call on one fails as
        // unanswered instead of falling back to the node's own plugin (which would act on the wrong host).
        await AgentFixtures.ExecuteAsync(Server, $"update agents set last_poll_at = now() - interval '1 minute' where id = '{sessionA.AgentId}'");
        var away = await Directory.FindAsync(OrgA, "noop", "demo", cancel);
        Assert.Equal(sessionA.AgentId, away?.AgentId);
        Assert.False(away!.Connected);
        Assert.Empty(await Directory.ListTargetsAsync(OrgA, cancel));
    }
}
