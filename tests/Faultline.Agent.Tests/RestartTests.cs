using System.Collections.Concurrent;

namespace Faultline.Agent.Tests;

/// <summary>An agent that died mid-fault: the next start reconciles its journal with the control plane before taking any command.</summary>
public sealed class RestartTests : IAsyncLifetime
{
    private static readonly TimeSpan Grace = TimeSpan.FromSeconds(1.5);

    private AgentHarness _harness = null!;

    public async ValueTask InitializeAsync() => _harness = await AgentHarness.StartAsync(Grace);

    public ValueTask DisposeAsync() => _harness.DisposeAsync();

    [Fact]
    public async Task A_journaled_fault_no_live_run_owns_is_removed_before_the_first_poll()
    {
        var faultId = await InjectAndCrashAsync();
        var markerAtPoll = new ConcurrentQueue<bool>();
        var firstSessionPolls = _harness.Plane.Polls.Select(p => p.SessionId).ToHashSet();
        _harness.Plane.OnPoll = poll =>
        {
            if (!firstSessionPolls.Contains(poll.SessionId))
            {
                markerAtPoll.Enqueue(File.Exists(_harness.Plugins.NoopMarker(faultId)));
            }
        };

        await _harness.StartAgentAsync(hellos: 2);

        var hello = _harness.Plane.Hellos[1];
        var held = Assert.Single(hello.HeldFaults);
        Assert.Equal(faultId, held.FaultId);
        Assert.NotNull(held.Handle);
        Assert.False(markerAtPoll.First(), "the fault was still there when the agent first polled (and could take commands)");
        Assert.False(File.Exists(Path.Combine(_harness.Plugins.JournalDirectory, faultId + ".json")));
        await Poll.UntilAsync(() => Task.FromResult(_harness.Plane.SelfRemovals.Any(r => r.FaultId == faultId)), TimeSpan.FromSeconds(10), "the removal is reported");
        Assert.Contains("not owned by a live run", _harness.Plane.SelfRemovals.Single(r => r.FaultId == faultId).Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_journaled_fault_a_live_run_owns_is_kept_and_renewed()
    {
        var faultId = await InjectAndCrashAsync();
        _harness.Plane.OwnedAtHello = fault => fault.FaultId == faultId;

        var agent = await _harness.StartAgentAsync(hellos: 2);
        var polls = _harness.Plane.Polls.Count;
        var until = DateTime.UtcNow + (2 * Grace);
        await Poll.UntilAsync(() => Task.FromResult(DateTime.UtcNow > until && _harness.Plane.Polls.Count > polls), TimeSpan.FromSeconds(10), "two graces pass with renewals");

        Assert.True(File.Exists(_harness.Plugins.NoopMarker(faultId)), "a renewed fault stays");
        Assert.Contains(faultId, agent.HeldFaultIds);
        var handle = _harness.Plane.Hellos[1].HeldFaults.Single().Handle!;
        var rollback = await _harness.Plane.SendAsync(AgentHarness.Rollback(handle));
        Assert.Equal(Sdk.Injection.RollbackStatus.Removed, rollback.Rollback?.Status);
        Assert.False(File.Exists(_harness.Plugins.NoopMarker(faultId)));
    }

    [Fact]
    public async Task A_leftover_the_journal_does_not_know_is_reported_and_removed_when_no_run_owns_it()
    {
        var faultId = await InjectAndCrashAsync();
        File.Delete(Path.Combine(_harness.Plugins.JournalDirectory, faultId + ".json"));

        await _harness.StartAgentAsync(hellos: 2);

        Assert.Equal(faultId, Assert.Single(_harness.Plane.Hellos[1].HeldFaults).FaultId);
        await Poll.UntilAsync(() => Task.FromResult(!File.Exists(_harness.Plugins.NoopMarker(faultId))), TimeSpan.FromSeconds(5), "the leftover is removed");
    }

    [Fact]
    public async Task A_journaled_fault_is_removed_when_its_grace_ends_even_if_the_control_plane_never_answers()
    {
        var faultId = await InjectAndCrashAsync();
        _harness.Plane.StopAnswering();
        var clock = System.Diagnostics.Stopwatch.StartNew();

        await _harness.CreateAgent().StartAsync();

        // The journaled grace is the last one granted before the crash: it runs out whether or not anyone answers.
        await Poll.UntilAsync(() => Task.FromResult(!File.Exists(_harness.Plugins.NoopMarker(faultId))), Grace + TimeSpan.FromSeconds(1.5), "the fault goes without a control plane");
        Assert.Single(_harness.Plane.Hellos);
        Assert.True(clock.Elapsed <= Grace + TimeSpan.FromSeconds(1.5), $"removed after {clock.Elapsed}");
    }

    private async Task<string> InjectAndCrashAsync()
    {
        var first = await _harness.StartAgentAsync();
        var faultId = AgentHarness.NewFaultId();
        Assert.Null((await _harness.Plane.SendAsync(AgentHarness.Inject(faultId, AgentHarness.Demo))).Error);
        await _harness.CrashAsync(first);
        Assert.True(File.Exists(_harness.Plugins.NoopMarker(faultId)), "a crash removes nothing");
        return faultId;
    }
}
