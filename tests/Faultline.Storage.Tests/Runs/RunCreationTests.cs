using Faultline.Storage.Common;
using Faultline.Storage.Experiments;
using Faultline.Storage.Policies;
using Faultline.Storage.Runs;

namespace Faultline.Storage.Tests.Runs;

/// <summary>
/// <see cref="RunStore.CreateAsync"/> stores a pending run with its first event and audit row, unless a halt
/// covers it or, when overlap is forbidden, another run of its experiment is unfinished.
/// </summary>
public sealed class RunCreationTests(PostgresServer postgres) : RunStorageTest(postgres)
{
    [Fact]
    public async Task A_created_run_is_pending_with_its_first_event_and_one_audit_row_in_the_same_transaction()
    {
        var (run, refusal) = await Runs.CreateAsync(ManualRun(Acme, Payments), forbidOverlap: false, Actor, Ct);

        Assert.Null(refusal);
        Assert.NotNull(run);
        Assert.Equal(
            (Acme, (Guid?)Payments.Id, "payments", "cpu-burn", "manual", "test-key", "pending", 0),
            (run.OrganizationId, run.TeamId, run.TeamName, run.ExperimentName, run.Trigger, run.RequestedBy, run.State, run.Activations));
        Assert.Null(run.Verdict);
        Assert.Null(run.OwnerNode);
        Assert.Equal(run, await Runs.GetAsync(Acme, run.Id, Ct));
        Assert.True(await ScalarAsync<bool>("select spec = @Spec::jsonb from runs where id = @id", new { Spec, id = run.Id }));
        var created = Assert.Single(await Runs.ReadEventsAsync(run.Id, 0, 100, Ct));
        Assert.Equal("run.created", created.Type);
        var audit = Assert.Single(await AuditRowsAsync(Acme), row => row.Action == "run.created");
        Assert.Equal(("run", run.Id.ToString()), (audit.ResourceType, audit.ResourceId));
        Assert.Equal(await WritingTransactionAsync("runs", run.Id), audit.TransactionId);
    }

    [Fact]
    public async Task Runs_are_never_read_across_organizations()
    {
        var run = await CreateRunAsync(Acme);

        Assert.Null(await Runs.GetAsync(Globex, run.Id, Ct));
        Assert.Empty((await Runs.ListAsync(Globex, null, null, null, null, 50, Ct)).Items);
        Assert.Equal([run.Id], (await Runs.ListAsync(Acme, null, null, null, null, 50, Ct)).Items.Select(r => r.Id));
    }

    [Theory]
    [InlineData(HaltScopes.Team)]
    [InlineData(HaltScopes.Organization)]
    [InlineData(HaltScopes.Global)]
    public async Task A_covering_halt_refuses_the_run_and_writes_nothing_until_it_is_released(string scope)
    {
        var halt = await EngageAsync(
            scope, scope == HaltScopes.Global ? null : Acme, scope == HaltScopes.Team ? Payments.Id : null, "database failover in progress");
        var before = await SnapshotAsync();

        var (refused, refusal) = await Runs.CreateAsync(ManualRun(Acme, Payments), forbidOverlap: false, Actor, Ct);

        Assert.Null(refused);
        Assert.NotNull(refusal);
        Assert.Equal((halt.Id, scope, "database failover in progress"), (refusal.Halt?.Id, refusal.Halt?.Scope, refusal.Halt?.Reason));
        Assert.Null(refusal.Overlap);
        Assert.Equal(0L, await RunCountAsync());
        Assert.Equal(0L, await ScalarAsync<long>("select count(*) from run_events"));
        Assert.Equal(before, await SnapshotAsync());

        await ReleaseAsync(halt);

        var (run, none) = await Runs.CreateAsync(ManualRun(Acme, Payments), forbidOverlap: false, Actor, Ct);
        Assert.Null(none);
        Assert.Equal("pending", run?.State);
        Assert.Equal(1L, await RunCountAsync());
    }

    [Fact]
    public async Task A_team_halt_covers_only_its_team_and_an_organization_halt_only_its_organization()
    {
        await EngageAsync(HaltScopes.Team, Acme, Payments.Id);
        await EngageAsync(HaltScopes.Organization, Globex, null);

        Assert.NotNull((await Runs.CreateAsync(ManualRun(Acme, Payments), false, Actor, Ct)).Refusal);
        Assert.NotNull((await Runs.CreateAsync(ManualRun(Globex), false, Actor, Ct)).Refusal);
        Assert.Null((await Runs.CreateAsync(ManualRun(Acme, Search), false, Actor, Ct)).Refusal);
        Assert.Null((await Runs.CreateAsync(ManualRun(Acme), false, Actor, Ct)).Refusal);

        Assert.Equal([Search.Name, null], await QueryAsync<string?>("select team_name from runs order by created_at"));
    }

    [Fact]
    public async Task Forbidding_overlap_refuses_a_run_while_another_run_of_the_experiment_is_unfinished()
    {
        var experiment = (await new ExperimentStore(DataSource).CreateAsync(
            Acme, new ExperimentDocument(Payments.Id, "cpu-burn", "faultline", "name: cpu-burn", Spec), Actor, Ct)).Value!;
        var first = await CreateRunAsync(Acme, Payments, experiment.Id);
        var other = (await new ExperimentStore(DataSource).CreateAsync(
            Acme, new ExperimentDocument(Payments.Id, "latency", "faultline", "name: latency", Spec), Actor, Ct)).Value!;
        var auditBefore = await AuditCountAsync(Acme);

        var (refused, refusal) = await Runs.CreateAsync(ManualRun(Acme, Payments, experiment.Id), forbidOverlap: true, Actor, Ct);

        Assert.Null(refused);
        Assert.Null(refusal?.Halt);
        Assert.Contains(first.Id.ToString(), refusal?.Overlap, StringComparison.Ordinal);
        Assert.Equal(1L, await RunCountAsync());
        Assert.Equal(auditBefore, await AuditCountAsync(Acme));

        // Another experiment, or the same one without the rule, is not held back.
        Assert.Null((await Runs.CreateAsync(ManualRun(Acme, Payments, other.Id), forbidOverlap: true, Actor, Ct)).Refusal);
        var overlapping = await CreateRunAsync(Acme, Payments, experiment.Id);

        await CompleteRunAsync(first.Id);
        Assert.NotNull((await Runs.CreateAsync(ManualRun(Acme, Payments, experiment.Id), forbidOverlap: true, Actor, Ct)).Refusal);
        await CompleteRunAsync(overlapping.Id, "aborted");

        var (run, none) = await Runs.CreateAsync(ManualRun(Acme, Payments, experiment.Id), forbidOverlap: true, Actor, Ct);
        Assert.Null(none);
        Assert.Equal(experiment.Id, run?.ExperimentId);
    }

    [Fact]
    public async Task A_run_waiting_for_approval_says_so_in_its_first_event()
    {
        var run = await CreateRunAsync(Acme, Payments, approvalRequired: true);

        Assert.True(run.ApprovalRequired);
        Assert.Null(run.ApprovedBy);
        Assert.Contains("waiting for an approver", Assert.Single(await Runs.ReadEventsAsync(run.Id, 0, 100, Ct)).Message, StringComparison.Ordinal);
        Assert.Equal(OutcomeStatus.Done, (await Runs.ApproveAsync(Acme, run.Id, "second-person", Actor, Ct)).Status);
        Assert.Equal(["run.created", "run.approved"], (await Runs.ReadEventsAsync(run.Id, 0, 100, Ct)).Select(e => e.Type));
    }
}
