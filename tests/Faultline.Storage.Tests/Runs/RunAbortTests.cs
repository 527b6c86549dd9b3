using Faultline.Storage.Common;
using Faultline.Storage.Policies;
using Faultline.Storage.Runs;

namespace Faultline.Storage.Tests.Runs;

/// <summary>
/// Abort requests (<see cref="RunStore.RequestAbortAsync"/>) and what an owner polls to learn it must stop
/// (<see cref="RunStore.FindStopsAsync"/>, <see cref="RunJournal.AbortRequestAsync"/>).
/// </summary>
public sealed class RunAbortTests(PostgresServer postgres) : RunStorageTest(postgres)
{
    [Fact]
    public async Task The_first_abort_request_is_recorded_and_later_ones_do_not_overwrite_it()
    {
        var run = await CreateRunAsync(Acme, Payments);

        var first = await Runs.RequestAbortAsync(Acme, run.Id, "user", "aborted by alice: wrong cluster", Actor, Ct);
        var second = await Runs.RequestAbortAsync(Acme, run.Id, "guardrail", "error rate above 5%", Actor, Ct);

        Assert.Equal((OutcomeStatus.Done, OutcomeStatus.Done), (first.Status, second.Status));
        Assert.NotNull(first.Value!.AbortRequestedAt);
        Assert.Equal(("user", "aborted by alice: wrong cluster"), (first.Value.AbortRequestCause, first.Value.AbortReason));
        var stored = (await Runs.GetAsync(Acme, run.Id, Ct))!;
        Assert.Equal(first.Value, stored);
        Assert.Equal(stored, second.Value);
        Assert.Equal(("pending", null), (stored.State, stored.Verdict));
        Assert.Equal(2L, await AuditCountAsync(Acme, "run.abort-requested"));
    }

    [Fact]
    public async Task The_owner_sees_the_abort_request_through_its_journal()
    {
        var run = await CreateRunAsync(Acme);
        var journal = await LeaseAsync(run.Id, NodeA, Ttl);
        Assert.Null(await journal.AbortRequestAsync(Ct));

        await Runs.RequestAbortAsync(Acme, run.Id, "user", "aborted by alice", Actor, Ct);

        Assert.Equal(("user", "aborted by alice"), await journal.AbortRequestAsync(Ct));
    }

    [Fact]
    public async Task An_abort_request_for_a_finished_run_is_a_conflict_and_changes_nothing()
    {
        var run = await CreateRunAsync(Acme);
        await CompleteRunAsync(run.Id);
        var before = await RunSnapshotAsync(run.Id);
        var auditBefore = await AuditCountAsync(Acme);

        var outcome = await Runs.RequestAbortAsync(Acme, run.Id, "user", "too late", Actor, Ct);

        Assert.Equal(OutcomeStatus.Conflict, outcome.Status);
        Assert.Equal(before, await RunSnapshotAsync(run.Id));
        Assert.Equal(auditBefore, await AuditCountAsync(Acme));
        Assert.Null((await Runs.GetAsync(run.Id, Ct))!.AbortRequestedAt);
    }

    [Fact]
    public async Task An_abort_request_for_another_organizations_run_is_not_found_and_changes_nothing()
    {
        var run = await CreateRunAsync(Acme);
        var before = await RunSnapshotAsync(run.Id);

        var outcome = await Runs.RequestAbortAsync(Globex, run.Id, "user", "sabotage", Actor, Ct);
        var unknown = await Runs.RequestAbortAsync(Acme, Guid.CreateVersion7(), "user", "no such run", Actor, Ct);

        Assert.Equal((OutcomeStatus.NotFound, OutcomeStatus.NotFound), (outcome.Status, unknown.Status));
        Assert.Equal(before, await RunSnapshotAsync(run.Id));
        Assert.Equal(0L, await AuditCountAsync(Globex));
        Assert.Equal(0L, await AuditCountAsync(Acme, "run.abort-requested"));
    }

    [Fact]
    public async Task Stops_report_aborted_runs_and_runs_under_a_halt_but_not_finished_or_untouched_ones()
    {
        var aborted = await CreateRunAsync(Acme, Search);
        var halted = await CreateRunAsync(Acme, Payments);
        var untouched = await CreateRunAsync(Acme, Search);
        var finished = await CreateRunAsync(Acme, Payments);
        var elsewhere = await CreateRunAsync(Globex);
        await Runs.RequestAbortAsync(Acme, aborted.Id, "user", "aborted by alice", Actor, Ct);
        await CompleteRunAsync(finished.Id);
        await EngageAsync(HaltScopes.Team, Acme, Payments.Id, "incident 42");

        var stops = await Runs.FindStopsAsync([aborted.Id, halted.Id, untouched.Id, finished.Id, elsewhere.Id], Ct);

        Assert.Equal(
            [(aborted.Id, "user", "aborted by alice"), (halted.Id, "halt", "halted: team halt by test-key (incident 42)")],
            stops.OrderBy(stop => stop.RunId == aborted.Id ? 0 : 1));
    }

    [Fact]
    public async Task An_abort_request_is_reported_before_a_halt_and_a_released_halt_stops_nothing()
    {
        var run = await CreateRunAsync(Acme, Payments);
        var other = await CreateRunAsync(Globex);
        var global = await EngageAsync(HaltScopes.Global, null, null, "freeze");

        Assert.Equal(
            [(run.Id, "halt", "halted: global halt by test-key (freeze)"), (other.Id, "halt", "halted: global halt by test-key (freeze)")],
            (await Runs.FindStopsAsync([run.Id, other.Id], Ct)).OrderBy(stop => stop.RunId == run.Id ? 0 : 1));

        await Runs.RequestAbortAsync(Acme, run.Id, "user", "aborted by alice", Actor, Ct);
        Assert.Contains((run.Id, "user", "aborted by alice"), await Runs.FindStopsAsync([run.Id], Ct));

        await ReleaseAsync(global);
        Assert.Empty(await Runs.FindStopsAsync([other.Id], Ct));
        Assert.Empty(await Runs.FindStopsAsync([], Ct));
    }
}
