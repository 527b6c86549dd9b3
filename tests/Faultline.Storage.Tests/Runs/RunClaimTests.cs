using Dapper;
using Faultline.Storage.Common;
using Faultline.Storage.Runs;

namespace Faultline.Storage.Tests.Runs;

/// <summary>
/// <see cref="RunStore.ClaimAsync"/> hands each unfinished, unleased run to exactly one node, with the lease that
/// fences its writes, and hands it over to another node once that lease lapses.
/// </summary>
public sealed class RunClaimTests(PostgresServer postgres) : RunStorageTest(postgres)
{
    /// <summary>Long enough for a write to start under the lease, short enough to wait out.</summary>
    private static readonly TimeSpan LapsingTtl = TimeSpan.FromSeconds(2);

    [Fact]
    public async Task Pending_runs_are_claimed_oldest_first_up_to_the_limit_each_with_a_lease()
    {
        var runs = new List<RunRecord>();
        for (var i = 0; i < 3; i++)
        {
            runs.Add(await CreateRunAsync(Acme, Payments));
        }

        var claimed = await Runs.ClaimAsync(NodeA, 2, Ttl, Ct);

        Assert.Equal(runs.Take(2).Select(r => r.Id), claimed.Select(c => c.Run.Id));
        foreach (var claim in claimed)
        {
            Assert.Equal((NodeA, 1), (claim.Run.OwnerNode, claim.Run.Activations));
            Assert.NotNull(claim.Run.StartedAt);
            Assert.Null(claim.PreviousOwner);
            Assert.False(claim.IsTakeover);
            Assert.Equal((RunStore.LeaseKind, claim.Run.Id.ToString(), NodeA, 1L), (claim.Lease.Kind, claim.Lease.Key, claim.Lease.OwnerNode, claim.Lease.Token));
            Assert.Equal(Ttl, claim.Lease.ExpiresAt - claim.Lease.AcquiredAt);
            Assert.Equal(claim.Run, await Runs.GetAsync(claim.Run.Id, Ct));
            var lease = (await Leases.GetAsync(RunStore.LeaseKind, claim.Run.Id.ToString(), Ct))!;
            Assert.Equal((NodeA, 1L), (lease.OwnerNode, lease.Token));
        }

        var unclaimed = (await Runs.GetAsync(runs[2].Id, Ct))!;
        Assert.Equal((null, 0), (unclaimed.OwnerNode, unclaimed.Activations));
        Assert.Null(await Leases.GetAsync(RunStore.LeaseKind, runs[2].Id.ToString(), Ct));
        Assert.Equal([runs[2].Id], (await Runs.ClaimAsync(NodeB, 10, Ttl, Ct)).Select(c => c.Run.Id));
        Assert.Empty(await Runs.ClaimAsync(NodeB, 10, Ttl, Ct));
    }

    [Fact]
    public async Task A_lease_from_the_claim_fences_the_journal()
    {
        await CreateRunAsync(Acme);
        var claim = Assert.Single(await Runs.ClaimAsync(NodeA, 10, Ttl, Ct));
        var journal = new RunJournal(DataSource, claim.Lease.Fence, claim.Run.Id);

        await journal.MoveAsync("pending", "checking-steady-state", "Checking the steady state.", Ct);

        Assert.Equal("checking-steady-state", await StateOfAsync(claim.Run.Id));
    }

    [Fact]
    public async Task Two_nodes_claiming_at_the_same_moment_never_get_the_same_run()
    {
        for (var round = 0; round < 5; round++)
        {
            var created = new List<Guid>();
            for (var i = 0; i < 20; i++)
            {
                created.Add((await CreateRunAsync(Acme)).Id);
            }

            var start = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var claimA = Task.Run(async () => { await start.Task; return await Runs.ClaimAsync(NodeA, 20, Ttl, Ct); }, Ct);
            var claimB = Task.Run(async () => { await start.Task; return await Runs.ClaimAsync(NodeB, 20, Ttl, Ct); }, Ct);
            start.SetResult();
            var byA = (await claimA).Select(c => c.Run.Id).ToList();
            var byB = (await claimB).Select(c => c.Run.Id).ToList();

            Assert.Empty(byA.Intersect(byB));
            Assert.Equal(created.Order(), byA.Concat(byB).Order());
            var owners = await QueryAsync<(Guid, Guid, int)>(
                "select id, owner_node, activations from runs where id = any(@created)", new { created = created.ToArray() });
            Assert.All(owners, owner => Assert.Equal((byA.Contains(owner.Item1) ? NodeA : NodeB, 1), (owner.Item2, owner.Item3)));
            Assert.Equal(20L, await ScalarAsync<long>(
                "select count(*) from leases where kind = 'run' and key = any(@keys) and token = 1",
                new { keys = created.Select(id => id.ToString()).ToArray() }));
        }
    }

    [Fact]
    public async Task A_run_whose_lease_is_live_is_not_claimed()
    {
        var run = await CreateRunAsync(Acme);
        var journal = await LeaseAsync(run.Id, NodeA, Ttl);

        Assert.Empty(await Runs.ClaimAsync(NodeB, 10, Ttl, Ct));

        var stored = (await Runs.GetAsync(run.Id, Ct))!;
        Assert.Equal((null, 0), (stored.OwnerNode, stored.Activations));
        var lease = (await Leases.GetAsync(RunStore.LeaseKind, run.Id.ToString(), Ct))!;
        Assert.Equal((NodeA, journal.Fence.Token), (lease.OwnerNode, lease.Token));
    }

    [Fact]
    public async Task After_the_owners_lease_lapses_another_node_takes_the_run_over()
    {
        var run = await CreateRunAsync(Acme);
        var first = Assert.Single(await Runs.ClaimAsync(NodeA, 10, Ttl, Ct));
        Assert.Empty(await Runs.ClaimAsync(NodeB, 10, Ttl, Ct));
        await LetLeaseLapseAsync(first.Lease.Fence);

        var takeover = Assert.Single(await Runs.ClaimAsync(NodeB, 10, Ttl, Ct));

        Assert.Equal(run.Id, takeover.Run.Id);
        Assert.Equal((NodeB, 2, NodeA), (takeover.Run.OwnerNode, takeover.Run.Activations, takeover.PreviousOwner));
        Assert.True(takeover.IsTakeover);
        Assert.Equal(first.Run.StartedAt, takeover.Run.StartedAt);
        Assert.Equal((NodeB, first.Lease.Token + 1), (takeover.Lease.OwnerNode, takeover.Lease.Token));
        Assert.Equal(takeover.Run, await Runs.GetAsync(run.Id, Ct));
        var former = new RunJournal(DataSource, first.Lease.Fence, run.Id);
        await Assert.ThrowsAsync<LeaseLostException>(() => former.AppendAsync("note", "late", new { }, Ct));
        Assert.Empty(await Runs.ClaimAsync(NodeA, 10, Ttl, Ct));
    }

    [Fact]
    public async Task A_claim_racing_an_in_flight_write_of_the_lapsed_owner_neither_deadlocks_nor_overtakes_it()
    {
        var run = await CreateRunAsync(Acme);
        var first = Assert.Single(await Runs.ClaimAsync(NodeA, 10, Ttl, Ct));
        var journal = new RunJournal(DataSource, first.Lease.Fence, run.Id);

        // Holding the timeline's table stops the owner's next write just after its fence check, the lease row share-locked.
        await using var gate = await DataSource.OpenConnectionAsync(Ct);
        await using var gateTransaction = await gate.BeginTransactionAsync(Ct);
        await gate.ExecuteAsync(new CommandDefinition("lock table run_events in share mode", transaction: gateTransaction, cancellationToken: Ct));
        Assert.NotNull(await Leases.TryRenewAsync(RunStore.LeaseKind, first.Lease.Key, NodeA, first.Lease.Token, LapsingTtl, Ct));
        var write = Task.Run(() => journal.AppendAsync("note", "written under the old lease", new { }, Ct), Ct);
        await Poll.UntilAsync(async () => write.IsCompleted || await LockWaitersAsync() == 1, TimeSpan.FromSeconds(10), "the owner's write waits, fenced in");
        Assert.False(write.IsCompleted, $"the write passed its fence and waits on the timeline: {write.Exception}");
        await WaitUntilLeaseExpiredAsync(run.Id);

        var claim = Task.Run(() => Runs.ClaimAsync(NodeB, 10, Ttl, Ct), Ct);
        await Poll.UntilAsync(async () => claim.IsCompleted || await LockWaitersAsync() == 2, TimeSpan.FromSeconds(10), "the claim returns or waits");
        await gateTransaction.CommitAsync(Ct);

        await write;
        var claimed = await claim;
        Assert.Contains("written under the old lease", (await Runs.ReadEventsAsync(run.Id, 0, 100, Ct)).Select(e => e.Message));
        var takeover = claimed.Count > 0 ? Assert.Single(claimed) : Assert.Single(await Runs.ClaimAsync(NodeB, 10, Ttl, Ct));
        Assert.Equal((NodeB, 2, NodeA, first.Lease.Token + 1), (takeover.Run.OwnerNode, takeover.Run.Activations, takeover.PreviousOwner, takeover.Lease.Token));
        await Assert.ThrowsAsync<LeaseLostException>(() => journal.AppendAsync("note", "written after the takeover", new { }, Ct));
    }

    [Fact]
    public async Task A_released_lease_lets_another_node_take_the_run_over_at_once()
    {
        await CreateRunAsync(Acme);
        var first = Assert.Single(await Runs.ClaimAsync(NodeA, 10, Ttl, Ct));
        Assert.True(await Leases.ReleaseAsync(RunStore.LeaseKind, first.Lease.Key, NodeA, first.Lease.Token, Ct));

        var takeover = Assert.Single(await Runs.ClaimAsync(NodeB, 10, Ttl, Ct));

        Assert.Equal((2, NodeA, true), (takeover.Run.Activations, takeover.PreviousOwner, takeover.IsTakeover));
    }

    [Fact]
    public async Task A_run_waiting_for_approval_is_not_claimed_until_it_is_approved()
    {
        var run = await CreateRunAsync(Acme, Payments, approvalRequired: true);

        Assert.Empty(await Runs.ClaimAsync(NodeA, 10, Ttl, Ct));
        var waiting = (await Runs.GetAsync(run.Id, Ct))!;
        Assert.Equal((null, 0), (waiting.OwnerNode, waiting.Activations));

        var approval = await Runs.ApproveAsync(Acme, run.Id, "second-person", Actor, Ct);

        Assert.Equal(OutcomeStatus.Done, approval.Status);
        Assert.Equal("second-person", approval.Value!.ApprovedBy);
        var claim = Assert.Single(await Runs.ClaimAsync(NodeA, 10, Ttl, Ct));
        Assert.Equal((run.Id, "second-person", 1), (claim.Run.Id, claim.Run.ApprovedBy, claim.Run.Activations));
        Assert.Equal(1L, await AuditCountAsync(Acme, "run.approved"));
    }

    [Fact]
    public async Task Approving_another_organizations_run_is_not_found_and_a_run_not_waiting_for_approval_is_a_conflict()
    {
        var waiting = await CreateRunAsync(Acme, approvalRequired: true);
        var ordinary = await CreateRunAsync(Acme);

        Assert.Equal(OutcomeStatus.NotFound, (await Runs.ApproveAsync(Globex, waiting.Id, "intruder", Actor, Ct)).Status);
        Assert.Equal(OutcomeStatus.Conflict, (await Runs.ApproveAsync(Acme, ordinary.Id, "second-person", Actor, Ct)).Status);
        Assert.Equal(OutcomeStatus.Done, (await Runs.ApproveAsync(Acme, waiting.Id, "second-person", Actor, Ct)).Status);
        Assert.Equal(OutcomeStatus.Conflict, (await Runs.ApproveAsync(Acme, waiting.Id, "third-person", Actor, Ct)).Status);

        Assert.Equal("second-person", (await Runs.GetAsync(waiting.Id, Ct))!.ApprovedBy);
        Assert.Null((await Runs.GetAsync(ordinary.Id, Ct))!.ApprovedBy);
    }

    [Fact]
    public async Task A_run_waiting_for_approval_whose_abort_was_requested_is_claimed_so_it_can_be_closed()
    {
        var run = await CreateRunAsync(Acme, approvalRequired: true);
        Assert.Equal(OutcomeStatus.Done, (await Runs.RequestAbortAsync(Acme, run.Id, "user", "not today", Actor, Ct)).Status);

        var claim = Assert.Single(await Runs.ClaimAsync(NodeA, 10, Ttl, Ct));

        Assert.Equal((run.Id, "user"), (claim.Run.Id, claim.Run.AbortRequestCause));
        Assert.Equal(OutcomeStatus.Conflict, (await Runs.ApproveAsync(Acme, run.Id, "second-person", Actor, Ct)).Status);
    }

    [Fact]
    public async Task A_completed_run_is_never_claimed()
    {
        var run = await CreateRunAsync(Acme);
        await CompleteRunAsync(run.Id, "aborted");
        var lease = (await Leases.GetAsync(RunStore.LeaseKind, run.Id.ToString(), Ct))!;
        Assert.Null(lease.OwnerNode);

        Assert.Empty(await Runs.ClaimAsync(NodeB, 10, Ttl, Ct));

        var stored = (await Runs.GetAsync(run.Id, Ct))!;
        Assert.Equal(("completed", null, 0), (stored.State, stored.OwnerNode, stored.Activations));
        Assert.Equal(lease, await Leases.GetAsync(RunStore.LeaseKind, run.Id.ToString(), Ct));
    }

    [Fact]
    public async Task A_limit_of_zero_claims_nothing()
    {
        await CreateRunAsync(Acme);

        Assert.Empty(await Runs.ClaimAsync(NodeA, 0, Ttl, Ct));

        Assert.Equal(0L, await ScalarAsync<long>("select count(*) from leases"));
    }

    private Task<long> LockWaitersAsync() =>
        ScalarAsync<long>("select count(*) from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock'");
}
