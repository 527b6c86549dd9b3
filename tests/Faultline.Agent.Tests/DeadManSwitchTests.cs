using System.Diagnostics;

namespace Faultline.Agent.Tests;

/// <summary>The dead-man switch with a real plugin: faults go when the control plane goes quiet, and at their hard expiry whatever it says.</summary>
public sealed class DeadManSwitchTests : IAsyncLifetime
{
    private static readonly TimeSpan Grace = TimeSpan.FromSeconds(1.5);

    /// <summary>One watchdog tick, a plugin call and a loaded test machine.</summary>
    private static readonly TimeSpan Slack = TimeSpan.FromSeconds(1.5);

    private AgentHarness _harness = null!;

    public async ValueTask InitializeAsync() => _harness = await AgentHarness.StartAsync(Grace);

    public ValueTask DisposeAsync() => _harness.DisposeAsync();

    [Fact]
    public async Task When_the_control_plane_stops_answering_the_fault_is_removed_within_its_grace_and_reported_later()
    {
        await _harness.StartAgentAsync();
        var faultId = AgentHarness.NewFaultId();
        Assert.Null((await _harness.Plane.SendAsync(AgentHarness.Inject(faultId, AgentHarness.Demo))).Error);
        await RenewedAsync(faultId);

        _harness.Plane.StopAnswering();
        var silence = Stopwatch.StartNew();
        var journal = Path.Combine(_harness.Plugins.JournalDirectory, faultId + ".json");

        // The marker goes first, the journal entry right after the rollback proved it gone.
        await Poll.UntilAsync(() => Task.FromResult(!File.Exists(_harness.Plugins.NoopMarker(faultId)) && !File.Exists(journal)), Grace + Slack, "the agent removes the fault on its own");

        Assert.True(silence.Elapsed <= Grace + Slack, $"removed after {silence.Elapsed}");
        Assert.Empty(_harness.Plane.SelfRemovals);

        _harness.Plane.Answer();
        await Poll.UntilAsync(() => Task.FromResult(_harness.Plane.SelfRemovals.Any(r => r.FaultId == faultId)), TimeSpan.FromSeconds(20), "the self-removal is reported once the control plane answers");
        var removal = _harness.Plane.SelfRemovals.Single(r => r.FaultId == faultId);
        Assert.Contains("grace", removal.Reason, StringComparison.Ordinal);
        Assert.Contains("deleted marker", removal.Evidence, StringComparison.Ordinal);
    }

    [Fact]
    public async Task When_the_control_plane_answers_but_stops_renewing_the_fault_is_removed_within_its_grace()
    {
        await _harness.StartAgentAsync();
        var faultId = AgentHarness.NewFaultId();
        Assert.Null((await _harness.Plane.SendAsync(AgentHarness.Inject(faultId, AgentHarness.Demo))).Error);
        await RenewedAsync(faultId);

        _harness.Plane.Renewing = false;
        var silence = Stopwatch.StartNew();
        await Poll.UntilAsync(() => Task.FromResult(_harness.Plane.SelfRemovals.Any(r => r.FaultId == faultId)), Grace + Slack + TimeSpan.FromSeconds(1), "the removal is reported on the next poll");

        Assert.False(File.Exists(_harness.Plugins.NoopMarker(faultId)));
        Assert.True(silence.Elapsed <= Grace + Slack + TimeSpan.FromSeconds(1), $"removed and reported after {silence.Elapsed}");
    }

    [Fact]
    public async Task The_hard_expiry_holds_even_while_renewals_continue()
    {
        await _harness.StartAgentAsync();
        var faultId = AgentHarness.NewFaultId();
        var hardExpiry = TimeSpan.FromSeconds(3.5);
        var clock = Stopwatch.StartNew();
        Assert.Null((await _harness.Plane.SendAsync(AgentHarness.Inject(faultId, AgentHarness.Demo, hardExpiry))).Error);

        await Poll.UntilAsync(() => Task.FromResult(!File.Exists(_harness.Plugins.NoopMarker(faultId))), hardExpiry + Slack, "the fault goes at its hard expiry");

        // Renewals carried it past its grace, and nothing carried it past its hard expiry.
        Assert.True(clock.Elapsed > Grace + TimeSpan.FromSeconds(1), $"removed after only {clock.Elapsed}: renewals did not hold it");
        Assert.True(clock.Elapsed <= hardExpiry + Slack, $"removed after {clock.Elapsed}");
        await Poll.UntilAsync(() => Task.FromResult(_harness.Plane.SelfRemovals.Any(r => r.FaultId == faultId)), TimeSpan.FromSeconds(10), "the removal is reported");
        Assert.Contains("hard expiry", _harness.Plane.SelfRemovals.Single(r => r.FaultId == faultId).Reason, StringComparison.Ordinal);
    }

    private Task RenewedAsync(string faultId)
    {
        var polls = _harness.Plane.Polls.Count;
        return Poll.UntilAsync(
            () => Task.FromResult(_harness.Plane.Polls.Skip(polls).Count(p => p.HeldFaultIds.Contains(faultId)) >= 2),
            TimeSpan.FromSeconds(10),
            "the agent reports the fault in two polls (so it has been renewed)");
    }
}
