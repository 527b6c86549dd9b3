using System.Globalization;

namespace Faultline.Agent.Tests;

/// <summary>`faultline agent` as an operator runs it: a real process, killed and restarted, or stopped with SIGTERM.</summary>
public sealed class AgentProcessTests : IAsyncLifetime
{
    private static readonly TimeSpan Grace = TimeSpan.FromSeconds(2);

    private StandInControlPlane _plane = null!;
    private readonly PluginFolder _plugins = new();

    public async ValueTask InitializeAsync() => _plane = await StandInControlPlane.StartAsync(Grace);

    public async ValueTask DisposeAsync()
    {
        await _plane.DisposeAsync();
        _plugins.Dispose();
    }

    [Fact]
    public async Task An_agent_killed_mid_fault_removes_the_fault_when_it_starts_again()
    {
        var faultId = AgentHarness.NewFaultId();
        await using (var agent = StartAgent())
        {
            await _plane.WaitForSessionAsync();
            var injected = await _plane.SendAsync(AgentHarness.Inject(faultId, AgentHarness.Demo));
            Assert.Null(injected.Error);
            Assert.True(File.Exists(_plugins.NoopMarker(faultId)), "the fault is in effect");

            agent.Signal(Signals.Kill);
            Assert.Equal(137, await agent.WaitForExitAsync(TimeSpan.FromSeconds(10)));
        }

        Assert.True(File.Exists(_plugins.NoopMarker(faultId)), "a killed agent removed nothing");
        Assert.True(File.Exists(Path.Combine(_plugins.JournalDirectory, faultId + ".json")), "the journal outlives the process");

        await using var restarted = StartAgent();
        await _plane.WaitForSessionAsync(hellos: 2);

        Assert.Equal(faultId, Assert.Single(_plane.Hellos[1].HeldFaults).FaultId);
        await Poll.UntilAsync(() => Task.FromResult(!File.Exists(_plugins.NoopMarker(faultId))), TimeSpan.FromSeconds(10), "the restarted agent removes the fault no run owns");
        await Poll.UntilAsync(() => Task.FromResult(_plane.SelfRemovals.Any(r => r.FaultId == faultId)), TimeSpan.FromSeconds(10), "the removal is reported");
        Assert.DoesNotContain(StandInControlPlane.Token, restarted.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task When_the_control_plane_goes_down_mid_fault_the_agent_removes_the_fault_within_its_grace()
    {
        await using var agent = StartAgent();
        await _plane.WaitForSessionAsync();
        var faultId = AgentHarness.NewFaultId();
        Assert.Null((await _plane.SendAsync(AgentHarness.Inject(faultId, AgentHarness.Demo))).Error);

        await _plane.ShutdownAsync();
        var down = System.Diagnostics.Stopwatch.StartNew();
        await Poll.UntilAsync(() => Task.FromResult(!File.Exists(_plugins.NoopMarker(faultId))), Grace + TimeSpan.FromSeconds(2), "the agent removes the fault on its own");

        Assert.True(down.Elapsed <= Grace + TimeSpan.FromSeconds(2), $"removed after {down.Elapsed}");
        Assert.False(agent.HasExited, "the agent keeps trying to reconnect");
        await agent.WaitForLineAsync($"Removed fault {faultId}", TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task SIGTERM_removes_every_held_fault_reports_it_and_exits_0()
    {
        await using var agent = StartAgent();
        await _plane.WaitForSessionAsync();
        var faultId = AgentHarness.NewFaultId();
        Assert.Null((await _plane.SendAsync(AgentHarness.Inject(faultId, AgentHarness.Demo))).Error);

        agent.Signal(Signals.Terminate);

        Assert.Equal(0, await agent.WaitForExitAsync(TimeSpan.FromSeconds(30)));
        Assert.False(File.Exists(_plugins.NoopMarker(faultId)));
        Assert.Contains("stopping", Assert.Single(_plane.SelfRemovals).Reason, StringComparison.Ordinal);
        Assert.DoesNotContain(StandInControlPlane.Token, agent.Output, StringComparison.Ordinal);
    }

    private FaultlineProcess StartAgent() => FaultlineProcess.Start(
        new Dictionary<string, string?>
        {
            ["FAULTLINE_AGENT_TOKEN"] = StandInControlPlane.Token,
            ["FAULTLINE_PLUGIN_PATH"] = null,
            ["HTTP_PROXY"] = null,
            ["HTTPS_PROXY"] = null,
            ["http_proxy"] = null,
            ["https_proxy"] = null,
        },
        "agent",
        "--server", _plane.Address.ToString(),
        "--state-dir", _plugins.StateDirectory,
        "--plugin-path", _plugins.SearchPath,
        "--grace", Grace.TotalSeconds.ToString(CultureInfo.InvariantCulture),
        "--target", "noop/demo",
        "--log-format", "text");
}
