using System.Text.Json;
using Faultline.Domain.Agents;

namespace Faultline.Agent.Tests;

/// <summary>Commands from the control plane: journaled before inject, and only ever for targets the agent reported.</summary>
public sealed class CommandTests : IAsyncLifetime
{
    private AgentHarness _harness = null!;

    public async ValueTask InitializeAsync() => _harness = await AgentHarness.StartAsync();

    public ValueTask DisposeAsync() => _harness.DisposeAsync();

    [Fact]
    public async Task The_journal_entry_is_on_disk_before_the_injector_is_called()
    {
        await _harness.StartAgentAsync();
        var faultId = AgentHarness.NewFaultId();

        // The witness injector refuses to inject unless the journal file of its fault already exists.
        var result = await _harness.Plane.SendAsync(AgentHarness.Inject(faultId, AgentHarness.Witness, injector: "fixture.witness"));

        Assert.Null(result.Error);
        Assert.NotNull(result.Handle);
        var entry = ReadJournal(faultId);
        Assert.Equal(faultId, entry.Handle?.FaultId);
    }

    [Fact]
    public async Task An_inject_holds_the_fault_journals_its_handle_and_a_rollback_removes_both()
    {
        var agent = await _harness.StartAgentAsync();
        var faultId = AgentHarness.NewFaultId();

        var injected = await _harness.Plane.SendAsync(AgentHarness.Inject(faultId, AgentHarness.Demo));

        Assert.Null(injected.Error);
        Assert.True(File.Exists(_harness.Plugins.NoopMarker(faultId)), "the noop marker is the fault");
        Assert.Equal(injected.Handle!.ToJson(), ReadJournal(faultId).Handle?.ToJson());
        Assert.Contains(faultId, agent.HeldFaultIds);
        await Poll.UntilAsync(() => Task.FromResult(_harness.Plane.Polls.Any(p => p.HeldFaultIds.Contains(faultId))), TimeSpan.FromSeconds(10), "a poll reports the fault held");

        var rolledBack = await _harness.Plane.SendAsync(AgentHarness.Rollback(injected.Handle!));

        Assert.Null(rolledBack.Error);
        Assert.Equal(Sdk.Injection.RollbackStatus.Removed, rolledBack.Rollback?.Status);
        Assert.False(File.Exists(_harness.Plugins.NoopMarker(faultId)));
        Assert.False(File.Exists(JournalPath(faultId)), "a proven rollback deletes the journal entry");
        Assert.DoesNotContain(faultId, agent.HeldFaultIds);
    }

    [Fact]
    public async Task A_command_for_a_target_the_agent_did_not_report_is_refused_and_nothing_is_injected()
    {
        await _harness.StartAgentAsync();
        var faultId = AgentHarness.NewFaultId();

        var result = await _harness.Plane.SendAsync(AgentHarness.Inject(faultId, Sdk.Targets.Target.Of("noop", "someone-elses")));

        Assert.Contains("not reported", result.Error, StringComparison.Ordinal);
        Assert.Null(result.Handle);
        Assert.False(File.Exists(_harness.Plugins.NoopMarker(faultId)), "nothing was injected");
        Assert.False(File.Exists(JournalPath(faultId)), "nothing was journaled");
        Assert.Contains(_harness.Logs.Lines, line => line.Contains("Refused", StringComparison.Ordinal) && line.Contains("someone-elses", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_command_that_names_a_reported_target_but_carries_another_is_refused()
    {
        await _harness.StartAgentAsync();
        var faultId = AgentHarness.NewFaultId();
        var inject = AgentHarness.Inject(faultId, Sdk.Targets.Target.Of("noop", "someone-elses"));

        var result = await _harness.Plane.SendAsync(inject with { Target = AgentHarness.Demo });

        Assert.Contains("would act on noop/someone-elses", result.Error, StringComparison.Ordinal);
        Assert.False(File.Exists(_harness.Plugins.NoopMarker(faultId)));
    }

    private JournalEntry ReadJournal(string faultId) =>
        JsonSerializer.Deserialize<JournalEntry>(File.ReadAllText(JournalPath(faultId)), AgentJson.Options)!;

    private string JournalPath(string faultId) => Path.Combine(_harness.Plugins.JournalDirectory, faultId + ".json");
}
