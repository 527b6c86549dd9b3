using System.Text.Json;
using System.Diagnostics;

namespace Faultline.Tests.Cluster;

/// <summary>
/// The run directory across real processes: a node killed mid-fault has its run taken over and rolled back by
/// another node within the lease TTL + 1 s; a node paused past its lease can neither write nor inject when it
/// wakes; a node stopped cleanly rolls back its runs before it exits.
/// </summary>
public sealed class RunTakeoverTests(PostgresServer postgres)
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task A_node_killed_mid_fault_has_its_run_taken_over_and_rolled_back_within_the_TTL_plus_one_second()
    {
        await using var cluster = await ClusterNodes.CreateAsync(postgres, "takeover");
        await using var health = await HealthEndpoint.StartAsync();
        var (doomed, doomedId, doomedClient) = await cluster.StartNodeAsync();
        using var doomedApi = doomedClient;

        // Only the first node is up when the run starts, so it is the one driving it.
        var experiment = await doomedApi.CreateExperimentAsync(RunApi.NoopExperiment("takeover", health.Url, duration: "120s", targets: "[noop/a, noop/b]"));
        var runId = await doomedApi.StartRunAsync(experiment);
        var observing = await doomedApi.WaitForRunAsync(runId, Patience, run => run.GetProperty("state").GetString() == "observing");
        Assert.Equal(doomedId, observing.GetProperty("ownerNode").GetGuid());
        Assert.Equal(2, cluster.Markers().Count);

        var (_, secondId, secondClient) = await cluster.StartNodeAsync();
        var (_, thirdId, thirdClient) = await cluster.StartNodeAsync();
        using var api = secondClient;
        using var third = thirdClient;

        doomed.Signal(Signals.Kill);
        var killedAt = DateTimeOffset.UtcNow;
        await doomed.WaitForExitAsync(TimeSpan.FromSeconds(30));
        var run = await api.WaitForRunAsync(runId, Patience);

        Assert.Equal("aborted", run.GetProperty("verdict").GetString());
        Assert.Equal("lost-owner", run.GetProperty("abortCause").GetString());
        Assert.Contains($"node {doomedId} stopped renewing its lease", run.GetProperty("verdictReason").GetString());
        var newOwner = run.GetProperty("ownerNode").GetGuid();
        Assert.Contains(newOwner, new[] { secondId, thirdId });
        Assert.Equal(2, run.GetProperty("activations").GetInt32());

        var faults = run.GetProperty("faults").EnumerateArray().ToList();
        Assert.Equal(2, faults.Count);
        var lastRemoval = faults.Max(f => f.GetProperty("removedAt").GetDateTimeOffset());
        var takeover = lastRemoval - killedAt;
        Assert.True(takeover <= ClusterNodes.LeaseTtl + TimeSpan.FromSeconds(1),
            $"every fault was removed {takeover.TotalMilliseconds:0} ms after the kill; the bound is the lease TTL ({ClusterNodes.LeaseTtl.TotalMilliseconds:0} ms) + 1 s");
        Assert.All(faults, f => Assert.Contains("verified absent", f.GetProperty("removalEvidence").GetString()));
        Assert.Empty(cluster.Markers());

        var events = await api.EventsAsync(runId);
        var taken = Assert.Single(events, e => e.GetProperty("type").GetString() == "run.takeover");
        Assert.Equal(doomedId, taken.GetProperty("data").GetProperty("previousOwner").GetGuid());
        Assert.Equal(newOwner, taken.GetProperty("data").GetProperty("node").GetGuid());
    }

    [Fact]
    public async Task A_node_killed_between_writing_the_intent_and_the_injectors_answer_has_the_half_applied_fault_found_and_removed()
    {
        await using var cluster = await ClusterNodes.CreateAsync(postgres, "midinject");
        // The fixture's fixture.hang writes its marker (the fault is on the host) and then never returns: the node
        // is killed while the fault row is still an intent without a handle, the worst moment to die.
        cluster.Environment["FAULTLINE_PLUGIN_PATH"] += $":{Path.Combine(RepositoryRoot.Path, "artifacts", "plugin-fixtures")}";
        await using var health = await HealthEndpoint.StartAsync();
        var (doomed, doomedId, doomedClient) = await cluster.StartNodeAsync();
        using var doomedApi = doomedClient;
        var experiment = await doomedApi.CreateExperimentAsync(RunApi.NoopExperiment("midinject", health.Url, duration: "60s", targets: "[host/h1]")
            .Replace("- fault: noop", "- fault: fixture.hang", StringComparison.Ordinal));
        var runId = await doomedApi.StartRunAsync(experiment);
        var markers = Path.Combine(cluster.StateDirectory, "plugins", "fixture.misbehaving");
        await Poll.UntilAsync(
            () => Task.FromResult(Directory.Exists(markers) && Directory.EnumerateFiles(markers, "fixture.hang-*.marker").Any()),
            Patience,
            "the hanging injector to apply its marker");
        var intent = Assert.Single((await doomedApi.GetRunAsync(runId)).GetProperty("faults").EnumerateArray());
        Assert.Equal("intended", intent.GetProperty("state").GetString());
        Assert.Equal(JsonValueKind.Null, intent.GetProperty("injectedAt").ValueKind);

        var (_, rescuerId, rescuerClient) = await cluster.StartNodeAsync();
        using var api = rescuerClient;
        doomed.Signal(Signals.Kill);
        await doomed.WaitForExitAsync(TimeSpan.FromSeconds(30));
        var run = await api.WaitForRunAsync(runId, Patience);

        Assert.Equal("lost-owner", run.GetProperty("abortCause").GetString());
        Assert.Contains($"node {doomedId} stopped renewing its lease", run.GetProperty("verdictReason").GetString());
        Assert.Equal(rescuerId, run.GetProperty("ownerNode").GetGuid());
        var fault = Assert.Single(run.GetProperty("faults").EnumerateArray());
        Assert.Equal("removed", fault.GetProperty("state").GetString());
        Assert.Contains("marker deleted", fault.GetProperty("removalEvidence").GetString());
        Assert.Empty(Directory.EnumerateFiles(markers, "fixture.hang-*.marker"));
    }

    [Fact]
    public async Task A_paused_node_whose_lease_was_taken_can_neither_write_nor_inject_after_it_resumes()
    {
        await using var cluster = await ClusterNodes.CreateAsync(postgres, "paused");
        await using var health = await HealthEndpoint.StartAsync();
        var (paused, pausedId, pausedClient) = await cluster.StartNodeAsync();
        using var pausedApi = pausedClient;

        // Two faults in sequence: when the paused node wakes, its next move would be to inject on noop/second.
        var yaml = RunApi.NoopExperiment("paused", health.Url, duration: "4s", targets: "[noop/first]")
            + "\n    - fault: noop\n      selector: { targets: [noop/second] }\n      mode: all\n      params: {}\n      duration: 4s\n";
        var experiment = await pausedApi.CreateExperimentAsync(yaml);
        var runId = await pausedApi.StartRunAsync(experiment);
        await pausedApi.WaitForRunAsync(runId, Patience, run => run.GetProperty("state").GetString() == "observing");
        Assert.Single(cluster.Markers());

        paused.Signal(Signals.Stop);
        var (_, rescuerId, rescuerClient) = await cluster.StartNodeAsync();
        using var api = rescuerClient;
        var closed = await api.WaitForRunAsync(runId, Patience);
        Assert.Equal("lost-owner", closed.GetProperty("abortCause").GetString());
        Assert.Equal(rescuerId, closed.GetProperty("ownerNode").GetGuid());
        Assert.Empty(cluster.Markers());
        var eventsAtClose = await api.EventsAsync(runId);

        // Wake the paused node after its first fault's duration has run out, and wait until it has noticed.
        paused.Signal(Signals.Continue);
        await paused.WaitForLineAsync("lease lost", Patience);
        await paused.WaitForLineAsync($"Run {runId}.*without recording", Patience);

        var after = await api.GetRunAsync(runId);
        Assert.Equal(closed.GetProperty("verdictReason").GetString(), after.GetProperty("verdictReason").GetString());
        Assert.Equal(rescuerId, after.GetProperty("ownerNode").GetGuid());
        var faults = after.GetProperty("faults").EnumerateArray().ToList();
        Assert.Equal(["noop/first"], faults.Select(f => f.GetProperty("target").GetString()));
        Assert.Equal(eventsAtClose.Select(e => e.GetProperty("id").GetInt64()), (await api.EventsAsync(runId)).Select(e => e.GetProperty("id").GetInt64()));
        Assert.Empty(cluster.Markers());
        Assert.False(paused.HasExited, "the paused node keeps running: losing a lease stops the run, not the node");
        Assert.DoesNotContain(pausedId.ToString(), after.GetProperty("ownerNode").GetGuid().ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_node_stopped_with_SIGTERM_rolls_back_and_closes_its_runs_before_it_exits()
    {
        await using var cluster = await ClusterNodes.CreateAsync(postgres, "graceful");
        await using var health = await HealthEndpoint.StartAsync();
        var (node, _, client) = await cluster.StartNodeAsync();
        using var api = client;
        var experiment = await api.CreateExperimentAsync(RunApi.NoopExperiment("graceful", health.Url, duration: "120s"));
        var runId = await api.StartRunAsync(experiment);
        await api.WaitForRunAsync(runId, Patience, run => run.GetProperty("state").GetString() == "observing");

        var clock = Stopwatch.StartNew();
        node.Signal(Signals.Terminate);
        Assert.Equal(0, await node.WaitForExitAsync(Patience));

        var (_, _, otherClient) = await cluster.StartNodeAsync();
        using var other = otherClient;
        var run = await other.GetRunAsync(runId);
        Assert.Equal("aborted", run.GetProperty("verdict").GetString());
        Assert.Contains("shutting down", run.GetProperty("verdictReason").GetString());
        Assert.Equal(1, run.GetProperty("activations").GetInt32());
        Assert.Empty(cluster.Markers());
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(30), $"the node took {clock.Elapsed.TotalSeconds:0.0} s to stop");
    }
}
