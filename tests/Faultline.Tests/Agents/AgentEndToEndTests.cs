using Faultline.Tests.Cluster;

namespace Faultline.Tests.Agents;

/// <summary>
/// The agent and the control plane as real processes over one database, with the noop fault on a target only the
/// agent reports: the fault is applied on the agent's host, never on the node's, and whatever goes away (the
/// control plane killed, the agent killed and restarted), the fault does not stay behind and the run's record says
/// who removed it.
/// </summary>
public sealed class AgentEndToEndTests(PostgresServer postgres)
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    /// <summary>Short, so the tests take seconds; the agent's watchdog ticks every 200 ms.</summary>
    private static readonly TimeSpan Grace = TimeSpan.FromSeconds(3);

    [Fact]
    public async Task With_the_control_plane_killed_mid_fault_the_agent_removes_the_fault_within_its_grace_and_the_run_records_it()
    {
        await using var cluster = await AgentClusterAsync("agentcpdown");
        await using var health = await HealthEndpoint.StartAsync();
        var (node, _, client) = await cluster.StartNodeAsync();
        using var api = client;
        await using var agent = await AgentHost.StartAsync(api, "cp-down-agent", "noop/on-agent", Grace);
        var runId = await StartObservingRunAsync(api, health, "agent-cp-down", "noop/on-agent", "120s");
        Assert.Single(agent.Markers());
        Assert.Empty(cluster.Markers());

        node.Signal(Signals.Kill);
        var killedAt = DateTimeOffset.UtcNow;
        await Poll.UntilAsync(() => Task.FromResult(agent.Markers().Count == 0), Patience, "the agent to remove its fault without a control plane");
        var removedAfter = DateTimeOffset.UtcNow - killedAt;
        TestContext.Current.TestOutputHelper?.WriteLine($"the agent removed the fault {removedAfter.TotalSeconds:0.0} s after the control plane was killed (grace {Grace.TotalSeconds:0} s)");
        Assert.True(removedAfter < Grace + TimeSpan.FromSeconds(3), $"the fault stayed {removedAfter.TotalSeconds:0.0} s; the grace is {Grace.TotalSeconds:0} s");

        // The control plane comes back at the address the agent knows: a new node takes the run over and closes it (an
        // error if the agent had not reconnected yet to prove the removal), and the agent's report of what it removed
        // reaches the fault's row.
        var (_, _, otherClient) = await cluster.StartNodeAsync(api.BaseAddress!.Port);
        using var other = otherClient;
        var run = await other.WaitForRunAsync(runId, Patience);
        Assert.Matches("^(aborted|error)$", run.GetProperty("verdict").GetString()!);
        await Poll.UntilAsync(
            async () => (await other.GetRunAsync(runId)).GetProperty("faults")[0].GetProperty("state").GetString() == "removed",
            Patience,
            "the fault's row to record the removal");
        var fault = (await other.GetRunAsync(runId)).GetProperty("faults")[0];
        Assert.Matches("removed by its agent|already absent|AlreadyAbsent|no marker", fault.GetProperty("removalEvidence").GetString()!);
        Assert.Empty(agent.Markers());
    }

    [Fact]
    public async Task An_agent_killed_mid_fault_and_restarted_removes_at_start_the_fault_no_live_run_owns_and_the_closed_run_records_it()
    {
        await using var cluster = await AgentClusterAsync("agentrestart");
        await using var health = await HealthEndpoint.StartAsync();
        var (_, _, client) = await cluster.StartNodeAsync();
        using var api = client;
        var agent = await AgentHost.StartAsync(api, "restart-agent", "noop/restarting", Grace);
        var runId = await StartObservingRunAsync(api, health, "agent-restart", "noop/restarting", "2s");
        Assert.Single(agent.Markers());

        agent.Process.Signal(Signals.Kill);
        await agent.Process.WaitForExitAsync(TimeSpan.FromSeconds(30));
        await agent.DisposeAsync();

        // Without its agent the run cannot prove the fault removed: it closes as an error, the row left open.
        var closed = await api.WaitForRunAsync(runId, Patience);
        Assert.Equal("error", closed.GetProperty("verdict").GetString());
        Assert.Single(agent.Markers());

        await using var restarted = await agent.RestartAsync();
        await Poll.UntilAsync(() => Task.FromResult(restarted.Markers().Count == 0), Patience, "the restarted agent to remove the fault at start");
        await Poll.UntilAsync(
            async () => (await api.GetRunAsync(runId)).GetProperty("faults")[0].GetProperty("state").GetString() == "removed",
            Patience,
            "the closed run's fault row to record the agent's removal");
        var fault = (await api.GetRunAsync(runId)).GetProperty("faults")[0];
        Assert.Contains("removed by its agent after the run closed", fault.GetProperty("removalEvidence").GetString());
        Assert.Contains("fault.removed-by-agent", (await api.EventsAsync(runId)).Select(e => e.GetProperty("type").GetString()));
    }

    [Fact]
    public async Task An_agent_cut_off_from_the_control_plane_by_a_firewall_in_its_namespace_removes_the_fault_within_its_grace()
    {
        await using var network = await AgentNetwork.CreateAsync();
        await using var cluster = await AgentClusterAsync("agentpartition");
        // The node listens on every address so the agent reaches it over the veth link, the only way out of its namespace.
        cluster.Environment["FAULTLINE_HOST"] = "0.0.0.0";
        await using var health = await HealthEndpoint.StartAsync();
        var (_, _, client) = await cluster.StartNodeAsync();
        using var api = client;
        await using var agent = await AgentHost.StartAsync(api, "partitioned-agent", "noop/behind-a-firewall", Grace, network);
        var runId = await StartObservingRunAsync(api, health, "agent-partition", "noop/behind-a-firewall", "120s");
        Assert.Single(agent.Markers());

        await network.PartitionAsync();
        var cutAt = DateTimeOffset.UtcNow;
        await Poll.UntilAsync(() => Task.FromResult(agent.Markers().Count == 0), Patience, "the cut-off agent to remove its fault");
        var removedAfter = DateTimeOffset.UtcNow - cutAt;
        TestContext.Current.TestOutputHelper?.WriteLine($"the agent removed the fault {removedAfter.TotalSeconds:0.0} s after the partition (grace {Grace.TotalSeconds:0} s)");
        Assert.True(removedAfter < Grace + TimeSpan.FromSeconds(3), $"the fault stayed {removedAfter.TotalSeconds:0.0} s; the grace is {Grace.TotalSeconds:0} s");
        Assert.False(agent.Process.HasExited, "a partition stops the faults, not the agent");

        // The run cannot reach its fault's agent any more: a user abort closes it, never as a pass.
        using var abort = await api.PostAsync(new Uri($"/api/v1/runs/{runId}/abort", UriKind.Relative), new StringContent("{}", System.Text.Encoding.UTF8, "application/json"));
        var run = await api.WaitForRunAsync(runId, Patience);
        Assert.NotEqual("passed", run.GetProperty("verdict").GetString());
    }

    private async Task<ClusterNodes> AgentClusterAsync(string name)
    {
        var cluster = await ClusterNodes.CreateAsync(postgres, name);
        cluster.Environment["FAULTLINE_AGENT_GRACE_MS"] = ((int)Grace.TotalMilliseconds).ToString(System.Globalization.CultureInfo.InvariantCulture);
        cluster.Environment["FAULTLINE_AGENT_POLL_WAIT_MS"] = "1000";
        return cluster;
    }

    private static async Task<Guid> StartObservingRunAsync(HttpClient api, HealthEndpoint health, string name, string target, string duration)
    {
        var experiment = await api.CreateExperimentAsync(RunApi.NoopExperiment(name, health.Url, duration: duration, targets: $"[{target}]"));
        var runId = await api.StartRunAsync(experiment);
        await api.WaitForRunAsync(runId, Patience, run => run.GetProperty("state").GetString() == "observing");
        return runId;
    }
}
