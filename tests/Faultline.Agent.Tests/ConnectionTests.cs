using System.Net;

namespace Faultline.Agent.Tests;

/// <summary>The agent keeps coming back: after failures with back-off, after a lost session with a new hello, after a refused token slowly.</summary>
public sealed class ConnectionTests : IAsyncLifetime
{
    private AgentHarness _harness = null!;

    public async ValueTask InitializeAsync() => _harness = await AgentHarness.StartAsync();

    public ValueTask DisposeAsync() => _harness.DisposeAsync();

    [Fact]
    public async Task The_agent_reconnects_with_back_off_after_the_control_plane_answers_503()
    {
        _harness.Plane.FailNext(4, HttpStatusCode.ServiceUnavailable);

        await _harness.StartAgentAsync();

        Assert.Equal(4, _harness.Plane.FailedRequests);
        Assert.Single(_harness.Plane.Hellos);
        Assert.Equal(4, _harness.Logs.Lines.Count(line => line.Contains("unreachable", StringComparison.Ordinal) && line.Contains("503", StringComparison.Ordinal)));

        // Failures in the middle of a session: the agent keeps its session and polls on.
        var polls = _harness.Plane.Polls.Count;
        _harness.Plane.FailNext(3, HttpStatusCode.BadGateway);
        await Poll.UntilAsync(() => Task.FromResult(_harness.Plane.Polls.Count > polls + 1), TimeSpan.FromSeconds(20), "the agent polls again after the failures");
        Assert.Single(_harness.Plane.Hellos);
    }

    [Fact]
    public async Task A_session_the_control_plane_forgot_is_opened_again_and_its_faults_reconciled()
    {
        var agent = await _harness.StartAgentAsync();
        var faultId = AgentHarness.NewFaultId();
        Assert.Null((await _harness.Plane.SendAsync(AgentHarness.Inject(faultId, AgentHarness.Demo))).Error);
        _harness.Plane.OwnedAtHello = fault => fault.FaultId == faultId;

        _harness.Plane.ForgetSessions();
        await _harness.Plane.WaitForSessionAsync(hellos: 2);

        Assert.Equal(faultId, Assert.Single(_harness.Plane.Hellos[1].HeldFaults).FaultId);
        Assert.Contains(faultId, agent.HeldFaultIds);
        Assert.True(File.Exists(_harness.Plugins.NoopMarker(faultId)));
    }

    [Fact]
    public async Task A_refused_token_is_retried_slowly_logged_clearly_and_never_logged_itself()
    {
        const string revoked = "fla_revoked-token-0d1e";
        var agent = _harness.CreateAgent(revoked);
        await agent.StartAsync();

        await Poll.UntilAsync(() => Task.FromResult(_harness.Plane.Unauthorized >= 3), TimeSpan.FromSeconds(10), "the agent tries again");

        Assert.Empty(_harness.Plane.Hellos);
        Assert.Contains(_harness.Logs.Lines, line => line.Contains("refused the agent token", StringComparison.Ordinal));
        Assert.DoesNotContain(_harness.Logs.Lines, line => line.Contains(revoked, StringComparison.Ordinal) || line.Contains("revoked-token", StringComparison.Ordinal));
    }
}
