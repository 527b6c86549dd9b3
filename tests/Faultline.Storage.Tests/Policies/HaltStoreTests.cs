using Faultline.Domain.Tenancy;
using Faultline.Storage.Common;
using Faultline.Storage.Policies;
using Faultline.Storage.Tenancy;

namespace Faultline.Storage.Tests.Policies;

public sealed class HaltStoreTests(PostgresServer postgres) : StorageTest(postgres)
{
    private Guid _acme;
    private Guid _globex;
    private TeamRecord _payments = null!;
    private HaltStore _halts = null!;

    public override async ValueTask InitializeAsync()
    {
        await base.InitializeAsync();
        _acme = await CreateOrganizationAsync("Acme");
        _globex = await CreateOrganizationAsync("Globex");
        _payments = (await new TeamStore(DataSource).CreateAsync(_acme, "payments", null, Actor, Ct)).Value!;
        _halts = new HaltStore(DataSource);
    }

    [Fact]
    public async Task Engaging_a_halt_stores_it_active_with_one_audit_row_in_the_same_transaction()
    {
        var halt = await _halts.EngageAsync(HaltScopes.Team, _acme, _payments.Id, "payments incident", Actor, Ct);

        Assert.Equal((HaltScopes.Team, (Guid?)_acme, (Guid?)_payments.Id, "payments incident", "test-key"), (halt.Scope, halt.OrganizationId, halt.TeamId, halt.Reason, halt.CreatedBy));
        Assert.True(halt.IsActive);
        Assert.Equal([halt], await _halts.ListAsync(_acme, includeReleased: false, Ct));
        var audit = Assert.Single(await AuditRowsAsync(_acme), row => row.Action == "halt.engaged");
        Assert.Equal(("halt", halt.Id.ToString(), Actor.ActorName), (audit.ResourceType, audit.ResourceId, audit.ActorName));
        Assert.Contains("payments incident", audit.Summary, StringComparison.Ordinal);
        Assert.Equal(await WritingTransactionAsync("halt_switches", halt.Id), audit.TransactionId);
        Assert.Equal(0L, await AuditCountAsync(_globex));
    }

    [Fact]
    public async Task Releasing_a_halt_stamps_it_and_writes_one_audit_row_once()
    {
        var halt = await _halts.EngageAsync(HaltScopes.Organization, _acme, null, "freeze", Actor, Ct);

        var released = await _halts.ReleaseAsync(halt.Id, _acme, Actor, Ct);

        Assert.Equal(OutcomeStatus.Done, released.Status);
        Assert.Equal((halt.Id, "test-key"), (released.Value!.Id, released.Value.ReleasedBy));
        Assert.False(released.Value.IsActive);
        Assert.True(await ScalarAsync<bool>("select released_at is not null from halt_switches where id = @id", new { id = halt.Id }));
        var audit = Assert.Single(await AuditRowsAsync(_acme), row => row.Action == "halt.released");
        Assert.Equal(halt.Id.ToString(), audit.ResourceId);
        Assert.Equal(await WritingTransactionAsync("halt_switches", halt.Id), audit.TransactionId);
        Assert.Null(await _halts.FindCoveringAsync(_acme, null, Ct));

        Assert.Equal(OutcomeStatus.NotFound, (await _halts.ReleaseAsync(halt.Id, _acme, Actor, Ct)).Status);
        Assert.Single(await AuditRowsAsync(_acme), row => row.Action == "halt.released");
    }

    [Fact]
    public async Task Releasing_another_organizations_halt_is_not_found_and_changes_nothing()
    {
        var halt = await _halts.EngageAsync(HaltScopes.Organization, _globex, null, "globex freeze", Actor, Ct);
        var before = await SnapshotAsync();

        var outcome = await _halts.ReleaseAsync(halt.Id, _acme, Actor, Ct);

        Assert.Equal(OutcomeStatus.NotFound, outcome.Status);
        Assert.Equal(before, await SnapshotAsync());
        Assert.Equal(halt, await _halts.FindCoveringAsync(_globex, null, Ct));
    }

    [Fact]
    public async Task A_global_halt_is_released_only_by_the_operator_and_audited_in_the_operators_organization()
    {
        var key = (await new ApiKeyStore(DataSource).CreateAsync(_acme, null, NewApiKey.From(ApiKeyToken.Create(), "operator", Role.Owner, null), Actor, Ct)).Value!;
        var operatorActor = new AuditContext(key.Id, "operator", "req-7", "10.0.0.1");
        var halt = await _halts.EngageAsync(HaltScopes.Global, null, null, "region outage", operatorActor, Ct);
        var engaged = Assert.Single(await AuditRowsAsync(_acme), row => row.Action == "halt.engaged");
        Assert.Equal((halt.Id.ToString(), (Guid?)key.Id), (engaged.ResourceId, engaged.ActorKeyId));

        Assert.Equal(OutcomeStatus.NotFound, (await _halts.ReleaseAsync(halt.Id, _globex, Actor, Ct)).Status);
        Assert.Equal(OutcomeStatus.NotFound, (await _halts.ReleaseAsync(halt.Id, _acme, Actor, Ct)).Status);
        Assert.Equal(halt, await _halts.FindCoveringAsync(_globex, null, Ct));

        Assert.Equal(OutcomeStatus.Done, (await _halts.ReleaseAsync(halt.Id, null, operatorActor, Ct)).Status);
        Assert.Single(await AuditRowsAsync(_acme), row => row.Action == "halt.released");
        Assert.Equal(0L, await AuditCountAsync(_globex));
    }

    [Fact]
    public async Task Listing_shows_the_organizations_own_and_global_halts_only()
    {
        var own = await _halts.EngageAsync(HaltScopes.Organization, _acme, null, "acme freeze", Actor, Ct);
        var team = await _halts.EngageAsync(HaltScopes.Team, _acme, _payments.Id, "payments incident", Actor, Ct);
        var global = await _halts.EngageAsync(HaltScopes.Global, null, null, "region outage", Actor, Ct);
        var foreign = await _halts.EngageAsync(HaltScopes.Organization, _globex, null, "globex freeze", Actor, Ct);
        Assert.Equal(OutcomeStatus.Done, (await _halts.ReleaseAsync(own.Id, _acme, Actor, Ct)).Status);

        var active = await _halts.ListAsync(_acme, includeReleased: false, Ct);
        var all = await _halts.ListAsync(_acme, includeReleased: true, Ct);
        var globex = await _halts.ListAsync(_globex, includeReleased: true, Ct);

        Assert.Equal([global.Id, team.Id], active.Select(h => h.Id).OrderBy(id => id == global.Id ? 0 : 1));
        Assert.Equal([own.Id, team.Id, global.Id], all.Select(h => h.Id).OrderBy(id => id == own.Id ? 0 : id == team.Id ? 1 : 2));
        Assert.Equal([foreign.Id, global.Id], globex.Select(h => h.Id).OrderBy(id => id == foreign.Id ? 0 : 1));
    }

    [Fact]
    public async Task The_covering_halt_depends_on_scope_team_and_organization()
    {
        var team = await _halts.EngageAsync(HaltScopes.Team, _acme, _payments.Id, "payments incident", Actor, Ct);

        Assert.Equal(team, await _halts.FindCoveringAsync(_acme, _payments.Id, Ct));
        Assert.Null(await _halts.FindCoveringAsync(_acme, null, Ct));
        Assert.Null(await _halts.FindCoveringAsync(_acme, Guid.CreateVersion7(), Ct));
        Assert.Null(await _halts.FindCoveringAsync(_globex, null, Ct));

        var global = await _halts.EngageAsync(HaltScopes.Global, null, null, "region outage", Actor, Ct);

        Assert.Equal(team, await _halts.FindCoveringAsync(_acme, _payments.Id, Ct));
        Assert.Equal(global, await _halts.FindCoveringAsync(_globex, null, Ct));
    }
}
