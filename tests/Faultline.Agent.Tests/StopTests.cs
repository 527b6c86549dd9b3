namespace Faultline.Agent.Tests;

/// <summary>A graceful stop removes every held fault and reports the removals, so no fault outlives its watcher.</summary>
public sealed class StopTests : IAsyncLifetime
{
    private AgentHarness _harness = null!;

    public async ValueTask InitializeAsync() => _harness = await AgentHarness.StartAsync();

    public ValueTask DisposeAsync() => _harness.DisposeAsync();

    [Fact]
    public async Task Stopping_removes_every_held_fault_and_reports_it()
    {
        var agent = await _harness.StartAgentAsync();
        var faultId = AgentHarness.NewFaultId();
        Assert.Null((await _harness.Plane.SendAsync(AgentHarness.Inject(faultId, AgentHarness.Demo))).Error);

        Assert.True(await agent.StopAsync());

        Assert.False(File.Exists(_harness.Plugins.NoopMarker(faultId)));
        Assert.Empty(Directory.GetFiles(_harness.Plugins.JournalDirectory));
        var removal = Assert.Single(_harness.Plane.SelfRemovals);
        Assert.Equal(faultId, removal.FaultId);
        Assert.Contains("stopping", removal.Reason, StringComparison.Ordinal);
    }
}
