using Dapper;
using Faultline.Storage.Runs;

namespace Faultline.Storage.Tests.Runs;

/// <summary>
/// <see cref="RunJournal.IntendAsync"/> writes a fault's intent row unless an open fault of another run holds an
/// overlapping claim on the same target; then it returns that fault and writes nothing.
/// </summary>
public sealed class FaultIntentConflictTests(PostgresServer postgres) : RunStorageTest(postgres)
{
    private RunJournal _first = null!;
    private RunJournal _second = null!;

    public override async ValueTask InitializeAsync()
    {
        await base.InitializeAsync();
        _first = await LeaseAsync((await CreateRunAsync(Acme, Payments)).Id, NodeA, Ttl);
        _second = await LeaseAsync((await CreateRunAsync(Acme, Search)).Id, NodeB, Ttl);
    }

    [Fact]
    public async Task An_overlapping_claim_on_the_same_target_gets_back_the_first_runs_fault_and_writes_nothing()
    {
        Assert.Null(await _first.IntendAsync(Intent("fault-1", "web-1", "cpu", "memory"), Ct));

        var conflict = await _second.IntendAsync(Intent("fault-2", "web-1", "memory", "disk"), Ct);

        Assert.NotNull(conflict);
        Assert.Equal(("fault-1", _first.RunId, "host", "web-1", FaultStates.Intended), (conflict.Id, conflict.RunId, conflict.TargetKind, conflict.TargetId, conflict.State));
        Assert.Equal(["cpu", "memory"], conflict.ClaimList);
        Assert.Equal(0L, await FaultCountAsync(_second.RunId));
        Assert.Equal(["fault-1"], await QueryAsync<string>("select id from faults order by id"));
    }

    [Fact]
    public async Task Disjoint_claims_on_one_target_and_any_claims_on_another_target_both_succeed()
    {
        Assert.Null(await _first.IntendAsync(Intent("fault-1", "web-1", "cpu"), Ct));

        Assert.Null(await _second.IntendAsync(Intent("fault-2", "web-1", "network"), Ct));
        Assert.Null(await _second.IntendAsync(Intent("fault-3", "web-2", "cpu"), Ct));

        Assert.Equal(["fault-2", "fault-3"], (await Runs.ListFaultsAsync(_second.RunId, Ct)).Select(f => f.Id).Order());
        Assert.Equal(3L, await ScalarAsync<long>("select count(*) from faults where state = 'intended'"));
    }

    [Fact]
    public async Task The_same_target_in_another_kind_is_another_target()
    {
        Assert.Null(await _first.IntendAsync(Intent("fault-1", "web-1", "cpu"), Ct));

        Assert.Null(await _second.IntendAsync(Intent("fault-2", "web-1", "cpu") with { TargetKind = "pod" }, Ct));

        Assert.Equal(1L, await FaultCountAsync(_second.RunId));
    }

    [Fact]
    public async Task A_run_never_conflicts_with_its_own_faults()
    {
        Assert.Null(await _first.IntendAsync(Intent("fault-1", "web-1", "cpu"), Ct));

        Assert.Null(await _first.IntendAsync(Intent("fault-2", "web-1", "cpu"), Ct));

        Assert.Equal(2L, await FaultCountAsync(_first.RunId));
    }

    [Fact]
    public async Task Once_the_first_fault_is_removed_the_second_run_may_intend()
    {
        Assert.Null(await _first.IntendAsync(Intent("fault-1", "web-1", "cpu"), Ct));
        await _first.MarkActiveAsync("fault-1", """{"pid": 42}""", DateTimeOffset.UtcNow, Ct);
        await _first.MarkRemovingAsync("fault-1", Ct);
        Assert.Equal("fault-1", (await _second.IntendAsync(Intent("fault-2", "web-1", "cpu"), Ct))?.Id);

        await _first.MarkRemovedAsync("fault-1", "process 42 gone", Ct);

        Assert.Null(await _second.IntendAsync(Intent("fault-2", "web-1", "cpu"), Ct));
        Assert.Equal(FaultStates.Intended, Assert.Single(await Runs.ListFaultsAsync(_second.RunId, Ct)).State);
        Assert.Empty(await _first.OpenFaultsAsync(Ct));
    }

    [Fact]
    public async Task A_fault_whose_removal_failed_keeps_its_target_claimed()
    {
        Assert.Null(await _first.IntendAsync(Intent("fault-1", "web-1", "cpu"), Ct));
        await _first.MarkFailedAsync("fault-1", "could not prove the process gone", Ct);

        var conflict = await _second.IntendAsync(Intent("fault-2", "web-1", "cpu"), Ct);

        Assert.Equal(("fault-1", FaultStates.Failed), (conflict?.Id, conflict?.State));
        Assert.Equal(0L, await FaultCountAsync(_second.RunId));
    }

    [Fact]
    public async Task Two_runs_intending_on_one_target_at_the_same_moment_exactly_one_wins()
    {
        for (var round = 0; round < 5; round++)
        {
            var target = $"web-{round}";

            var results = await RaceAsync(target);

            var winner = Assert.Single(await QueryAsync<FaultRow>(
                "select id, run_id as RunId from faults where target_id = @target", new { target }));
            Assert.Single(results, result => result is null);
            var conflict = Assert.Single(results, result => result is not null)!;
            Assert.Equal((winner.Id, winner.RunId), (conflict.Id, conflict.RunId));
        }
    }

    /// <summary>
    /// Both runs intend on <paramref name="target"/> while the test holds the target's advisory lock, so both
    /// are in their fenced transactions, waiting, when the lock is let go: a real race, every time.
    /// </summary>
    private async Task<FaultRecord?[]> RaceAsync(string target)
    {
        await using var gate = await DataSource.OpenConnectionAsync(Ct);
        await using var transaction = await gate.BeginTransactionAsync(Ct);
        await gate.ExecuteAsync(new CommandDefinition(
            "select pg_advisory_xact_lock(hashtextextended(@key, 0))", new { key = $"target:host/{target}" }, transaction, cancellationToken: Ct));

        var racers = new[] { (_first, "a"), (_second, "b") }
            .Select(racer => Task.Run(() => racer.Item1.IntendAsync(Intent($"{target}-{racer.Item2}", target, "cpu"), Ct), Ct))
            .ToArray();
        // Without the per-target lock they would not wait, but both pass the conflict check: the caller's assertions tell.
        await Poll.UntilAsync(
            async () => racers.All(racer => racer.IsCompleted) || await ScalarAsync<long>(
                "select count(*) from pg_stat_activity where datname = current_database() and wait_event = 'advisory'") == 2,
            TimeSpan.FromSeconds(10), "both intents wait on the target's advisory lock");
        await transaction.CommitAsync(Ct);

        return await Task.WhenAll(racers);
    }

    private sealed record FaultRow(string Id, Guid RunId);
}
