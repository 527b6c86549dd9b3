using Faultline.Storage.Runs;

namespace Faultline.Storage.Tests.Runs;

/// <summary>
/// Every write the owner of a run makes through its <see cref="RunJournal"/> is fenced by the run's lease: the
/// holder writes, a node whose lease lapsed or was stolen gets <see cref="LeaseLostException"/> and writes nothing.
/// </summary>
public sealed class RunJournalFencingTests(PostgresServer postgres) : RunStorageTest(postgres)
{
    [Fact]
    public async Task Every_journal_write_succeeds_under_the_current_lease()
    {
        var run = await CreateRunAsync(Acme, Payments);
        var journal = await LeaseAsync(run.Id, NodeA, Ttl);
        var injectedAt = new DateTimeOffset(2025, 5, 1, 12, 0, 0, TimeSpan.Zero);

        await journal.AppendAsync("note", "Planned 1 fault.", new { faults = 1 }, Ct);
        await journal.MoveAsync("pending", "checking-steady-state", "Checking the steady state.", Ct);
        Assert.Null(await journal.IntendAsync(Intent("fault-1", "web-1", "cpu"), Ct));
        await journal.MarkActiveAsync("fault-1", """{"pid": 42}""", injectedAt, Ct);
        await journal.CompleteAsync("passed", "the steady state held", null, new { probes = 3 }, Ct);

        var events = await Runs.ReadEventsAsync(run.Id, 0, 100, Ct);
        Assert.Equal(["run.created", "note", "state", "state", "verdict"], events.Select(e => e.Type));
        Assert.Equal("Planned 1 fault.", events[1].Message);
        var fault = Assert.Single(await Runs.ListFaultsAsync(run.Id, Ct));
        Assert.Equal(("fault-1", FaultStates.Active), (fault.Id, fault.State));
        Assert.Equal("""{"pid": 42}""", fault.Handle);
        Assert.Equal(injectedAt.UtcDateTime, fault.InjectedAt);
        Assert.Equal(["cpu"], fault.ClaimList);
        var stored = (await Runs.GetAsync(Acme, run.Id, Ct))!;
        Assert.Equal(("completed", "passed", "the steady state held"), (stored.State, stored.Verdict, stored.VerdictReason));
        Assert.NotNull(stored.FinishedAt);
        Assert.Contains("\"probes\": 3", stored.Evidence, StringComparison.Ordinal);
    }

    [Fact]
    public async Task After_the_lease_is_stolen_every_journal_write_throws_and_writes_nothing()
    {
        var run = await CreateRunAsync(Acme, Payments);
        var journal = await LeaseAsync(run.Id, NodeA, Ttl);
        await journal.MoveAsync("pending", "checking-steady-state", "Checking the steady state.", Ct);
        Assert.Null(await journal.IntendAsync(Intent("fault-1", "web-1", "cpu"), Ct));
        await LetLeaseLapseAsync(journal.Fence);
        var thief = await LeaseAsync(run.Id, NodeB, Ttl);
        var before = await RunSnapshotAsync(run.Id);
        var events = await EventCountAsync(run.Id);

        await AssertLeaseLostAsync(journal);

        Assert.Equal(before, await RunSnapshotAsync(run.Id));
        Assert.Equal("checking-steady-state", await StateOfAsync(run.Id));
        Assert.Equal(events, await EventCountAsync(run.Id));
        Assert.Equal(1L, await FaultCountAsync(run.Id));
        Assert.Equal(FaultStates.Intended, Assert.Single(await Runs.ListFaultsAsync(run.Id, Ct)).State);
        Assert.Null((await Runs.GetAsync(run.Id, Ct))!.Verdict);

        // The thief's journal is the one that writes now.
        Assert.Equal(journal.Fence.Token + 1, thief.Fence.Token);
        await thief.AppendAsync("note", "Taken over.", new { }, Ct);
        Assert.Equal(events + 1, await EventCountAsync(run.Id));
    }

    [Fact]
    public async Task A_lease_that_lapsed_fences_out_its_holder_before_anyone_steals_it()
    {
        var run = await CreateRunAsync(Acme);
        var journal = await LeaseAsync(run.Id, NodeA, Ttl);
        Assert.Null(await journal.IntendAsync(Intent("fault-1", "web-1", "cpu"), Ct));
        await LetLeaseLapseAsync(journal.Fence);
        var before = await RunSnapshotAsync(run.Id);

        await AssertLeaseLostAsync(journal);

        Assert.Equal(before, await RunSnapshotAsync(run.Id));
        Assert.Equal("pending", await StateOfAsync(run.Id));
    }

    [Fact]
    public async Task A_released_lease_fences_out_its_former_holder()
    {
        var run = await CreateRunAsync(Acme);
        var journal = await LeaseAsync(run.Id, NodeA, Ttl);
        Assert.Null(await journal.IntendAsync(Intent("fault-1", "web-1", "cpu"), Ct));
        Assert.True(await Leases.ReleaseAsync(RunStore.LeaseKind, run.Id.ToString(), NodeA, journal.Fence.Token, Ct));
        var before = await RunSnapshotAsync(run.Id);

        await AssertLeaseLostAsync(journal);

        Assert.Equal(before, await RunSnapshotAsync(run.Id));
    }

    [Fact]
    public async Task A_journal_of_one_run_cannot_write_under_the_lease_of_another()
    {
        var run = await CreateRunAsync(Acme);
        var other = await CreateRunAsync(Acme);
        var otherJournal = await LeaseAsync(other.Id, NodeA, Ttl);
        var forged = new RunJournal(DataSource, otherJournal.Fence with { Key = run.Id.ToString() }, run.Id);
        var before = await RunSnapshotAsync(run.Id);

        await Assert.ThrowsAsync<LeaseLostException>(() => forged.AppendAsync("note", "forged", new { }, Ct));
        await Assert.ThrowsAsync<LeaseLostException>(() => forged.MoveAsync("pending", "checking-steady-state", "forged", Ct));

        Assert.Equal(before, await RunSnapshotAsync(run.Id));
    }

    /// <summary>Every fenced write of the journal, each on fault-1 (intended) or a new fault-2.</summary>
    private async Task AssertLeaseLostAsync(RunJournal journal)
    {
        await Assert.ThrowsAsync<LeaseLostException>(() => journal.AppendAsync("note", "late", new { late = true }, Ct));
        await Assert.ThrowsAsync<LeaseLostException>(() => journal.MoveAsync("checking-steady-state", "injecting", "late move", Ct));
        await Assert.ThrowsAsync<LeaseLostException>(() => journal.MoveAsync("pending", "checking-steady-state", "late move", Ct));
        await Assert.ThrowsAsync<LeaseLostException>(() => journal.IntendAsync(Intent("fault-2", "web-2", "memory"), Ct));
        await Assert.ThrowsAsync<LeaseLostException>(() => journal.MarkActiveAsync("fault-1", """{"pid": 7}""", DateTimeOffset.UtcNow, Ct));
        await Assert.ThrowsAsync<LeaseLostException>(() => journal.MarkVerifiedAsync("fault-1", "late evidence", Ct));
        await Assert.ThrowsAsync<LeaseLostException>(() => journal.MarkRemovingAsync("fault-1", Ct));
        await Assert.ThrowsAsync<LeaseLostException>(() => journal.MarkRemovedAsync("fault-1", "late removal", Ct));
        await Assert.ThrowsAsync<LeaseLostException>(() => journal.MarkFailedAsync("fault-1", "late failure", Ct));
        await Assert.ThrowsAsync<LeaseLostException>(() => journal.CompleteAsync("passed", "late verdict", null, new { }, Ct));
    }
}
