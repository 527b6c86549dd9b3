using Faultline.Storage.Cluster;
using Faultline.Storage.Common;
using Faultline.Storage.Policies;
using Faultline.Storage.Runs;
using Faultline.Storage.Tenancy;

namespace Faultline.Storage.Tests.Runs;

/// <summary>
/// Two organizations (Acme with two teams, and Globex), the run engine's stores, and helpers to create runs,
/// lease them as a node would, and read what the journal left behind with raw SQL.
/// </summary>
public abstract class RunStorageTest(PostgresServer postgres) : StorageTest(postgres)
{
    protected const string Spec = """{"name": "cpu-burn", "steps": [{"fault": "cpu", "target": "web-1"}]}""";
    protected static readonly TimeSpan Ttl = TimeSpan.FromSeconds(30);
    protected static readonly TimeSpan ShortTtl = TimeSpan.FromMilliseconds(300);

    protected Guid NodeA { get; } = Guid.CreateVersion7();

    protected Guid NodeB { get; } = Guid.CreateVersion7();

    protected Guid Acme { get; private set; }

    protected Guid Globex { get; private set; }

    protected TeamRecord Payments { get; private set; } = null!;

    protected TeamRecord Search { get; private set; } = null!;

    protected RunStore Runs { get; private set; } = null!;

    protected LeaseStore Leases { get; private set; } = null!;

    protected HaltStore Halts { get; private set; } = null!;

    public override async ValueTask InitializeAsync()
    {
        await base.InitializeAsync();
        Acme = await CreateOrganizationAsync("Acme");
        Globex = await CreateOrganizationAsync("Globex");
        var teams = new TeamStore(DataSource);
        Payments = (await teams.CreateAsync(Acme, "payments", null, Actor, Ct)).Value!;
        Search = (await teams.CreateAsync(Acme, "search", null, Actor, Ct)).Value!;
        Runs = new RunStore(DataSource);
        Leases = new LeaseStore(DataSource);
        Halts = new HaltStore(DataSource);
    }

    /// <summary>A manual run of <paramref name="organizationId"/>, in <paramref name="team"/> when given.</summary>
    protected static NewRun ManualRun(Guid organizationId, TeamRecord? team = null, Guid? experimentId = null, bool approvalRequired = false) =>
        new(organizationId, team?.Id, team?.Name, experimentId, "cpu-burn", Spec, "manual", "test-key", null, approvalRequired);

    protected async Task<RunRecord> CreateRunAsync(Guid organizationId, TeamRecord? team = null, Guid? experimentId = null, bool approvalRequired = false)
    {
        var (run, refusal) = await Runs.CreateAsync(ManualRun(organizationId, team, experimentId, approvalRequired), forbidOverlap: false, Actor, Ct);
        Assert.Null(refusal);
        return run!;
    }

    /// <summary>Takes the run's lease as a node would and returns the journal fenced by it.</summary>
    protected async Task<RunJournal> LeaseAsync(Guid runId, Guid nodeId, TimeSpan ttl)
    {
        var grant = await Leases.TryAcquireAsync(RunStore.LeaseKind, runId.ToString(), nodeId, ttl, Ct);
        Assert.NotNull(grant);
        return new RunJournal(DataSource, grant.Fence, runId);
    }

    /// <summary>Closes a run the way its owner would: under its lease, which is then released.</summary>
    protected async Task CompleteRunAsync(Guid runId, string verdict = "passed")
    {
        var journal = await LeaseAsync(runId, NodeA, Ttl);
        await journal.CompleteAsync(verdict, $"test closed the run: {verdict}", null, new { closedBy = "test" }, Ct);
        Assert.True(await Leases.ReleaseAsync(RunStore.LeaseKind, runId.ToString(), NodeA, journal.Fence.Token, Ct));
    }

    protected static FaultIntent Intent(string id, string targetId, params string[] claims) =>
        new(id, "steps[0]", "noop", "host", targetId, $$"""{"host": "{{targetId}}"}""", """{"load": 0.9}""", claims, TimeSpan.FromMinutes(5));

    /// <summary>Expiry is the database's call: ask it, not the test's clock.</summary>
    protected Task WaitUntilLeaseExpiredAsync(Guid runId) =>
        Poll.UntilAsync(
            async () => await ScalarAsync<bool>(
                "select now() > expires_at from leases where kind = @kind and key = @key", new { kind = RunStore.LeaseKind, key = runId.ToString() }),
            TimeSpan.FromSeconds(10), "the database clock passes the run lease's expiry");

    /// <summary>Shortens a held lease to <see cref="ShortTtl"/> (a renewal may shorten it) and waits until it has lapsed.</summary>
    protected async Task LetLeaseLapseAsync(LeaseFence fence)
    {
        Assert.NotNull(await Leases.TryRenewAsync(fence.Kind, fence.Key, fence.OwnerNode, fence.Token, ShortTtl, Ct));
        await WaitUntilLeaseExpiredAsync(Guid.Parse(fence.Key));
    }

    protected Task<string> StateOfAsync(Guid runId) =>
        ScalarAsync<string>("select state from runs where id = @runId", new { runId });

    protected Task<long> EventCountAsync(Guid runId) =>
        ScalarAsync<long>("select count(*) from run_events where run_id = @runId", new { runId });

    protected Task<long> FaultCountAsync(Guid runId) =>
        ScalarAsync<long>("select count(*) from faults where run_id = @runId", new { runId });

    protected Task<long> RunCountAsync() => ScalarAsync<long>("select count(*) from runs");

    /// <summary>The run's row, timeline and fault rows, serialised: equal snapshots mean the journal wrote nothing.</summary>
    protected Task<string> RunSnapshotAsync(Guid runId) =>
        ScalarAsync<string>(
            """
            select (select row_to_json(r)::text from runs r where r.id = @runId)
                || E'\n' || (select coalesce(string_agg(row_to_json(e)::text, E'\n' order by e.id), '') from run_events e where e.run_id = @runId)
                || E'\n' || (select coalesce(string_agg(row_to_json(f)::text, E'\n' order by f.id), '') from faults f where f.run_id = @runId)
            """,
            new { runId });

    protected Task<long> AuditCountAsync(Guid organizationId, string action) =>
        ScalarAsync<long>(
            "select count(*) from audit_events where organization_id = @organizationId and action = @action", new { organizationId, action });

    protected Task<HaltRecord> EngageAsync(string scope, Guid? organizationId, Guid? teamId, string reason = "incident 42") =>
        Halts.EngageAsync(scope, organizationId, teamId, reason, Actor, Ct);

    protected async Task ReleaseAsync(HaltRecord halt)
    {
        var outcome = await Halts.ReleaseAsync(halt.Id, halt.OrganizationId, Actor, Ct);
        Assert.Equal(OutcomeStatus.Done, outcome.Status);
    }
}
