using Faultline.Domain.Tenancy;
using Faultline.Storage.Common;
using Faultline.Storage.Tenancy;

namespace Faultline.Storage.Tests.Tenancy;

public sealed class TeamStoreTests(PostgresServer postgres) : StorageTest(postgres)
{
    private Guid _acme;
    private Guid _globex;
    private TeamStore _teams = null!;

    public override async ValueTask InitializeAsync()
    {
        await base.InitializeAsync();
        _acme = await CreateOrganizationAsync("Acme");
        _globex = await CreateOrganizationAsync("Globex");
        _teams = new TeamStore(DataSource);
    }

    [Fact]
    public async Task Create_stores_the_team_and_one_audit_row_in_the_same_transaction()
    {
        var outcome = await _teams.CreateAsync(_acme, "payments", "Checkout", Actor, Ct);

        Assert.Equal(OutcomeStatus.Done, outcome.Status);
        var team = outcome.Value!;
        Assert.Equal((_acme, "payments", "Checkout", 1), (team.OrganizationId, team.Name, team.Description, team.Version));
        Assert.Equal(team, await _teams.GetAsync(_acme, team.Id, Ct));

        var audit = Assert.Single(await AuditRowsAsync(_acme));
        Assert.Equal(("team.created", "team", team.Id.ToString()), (audit.Action, audit.ResourceType, audit.ResourceId));
        Assert.Equal((Actor.ActorKeyId, Actor.ActorName, Actor.RequestId, Actor.SourceAddress), (audit.ActorKeyId, audit.ActorName, audit.RequestId, audit.SourceAddress));
        Assert.Contains("\"name\":\"payments\"", audit.Summary.Replace(" ", "", StringComparison.Ordinal), StringComparison.Ordinal);
        Assert.Equal(await WritingTransactionAsync("teams", team.Id), audit.TransactionId);
        Assert.Equal(0L, await AuditCountAsync(_globex));
    }

    [Fact]
    public async Task Get_and_list_never_return_another_organizations_team()
    {
        var globexTeam = await CreateTeamAsync(_globex, "secret-project");
        var acmeTeam = await CreateTeamAsync(_acme, "payments");

        Assert.Null(await _teams.GetAsync(_acme, globexTeam.Id, Ct));
        Assert.NotNull(await _teams.GetAsync(_globex, globexTeam.Id, Ct));
        Assert.Equal([acmeTeam.Id], (await _teams.ListAsync(_acme, null, null, 50, Ct)).Items.Select(t => t.Id));
        Assert.Empty((await _teams.ListAsync(_acme, globexTeam.Id, null, 50, Ct)).Items);
    }

    [Fact]
    public async Task Update_naming_another_organizations_team_is_not_found_and_changes_nothing()
    {
        var globexTeam = await CreateTeamAsync(_globex, "secret-project");
        var before = await SnapshotAsync();

        var outcome = await _teams.UpdateAsync(_acme, globexTeam.Id, globexTeam.Version, "hijacked", "mine now", Actor, Ct);

        Assert.Equal(OutcomeStatus.NotFound, outcome.Status);
        Assert.Null(outcome.Value);
        Assert.Equal(before, await SnapshotAsync());
    }

    [Fact]
    public async Task Delete_naming_another_organizations_team_is_not_found_and_changes_nothing()
    {
        var globexTeam = await CreateTeamAsync(_globex, "secret-project");
        var before = await SnapshotAsync();

        var outcome = await _teams.DeleteAsync(_acme, globexTeam.Id, globexTeam.Version, Actor, Ct);

        Assert.Equal(OutcomeStatus.NotFound, outcome.Status);
        Assert.Equal(before, await SnapshotAsync());
    }

    [Fact]
    public async Task Update_with_a_stale_version_is_a_version_mismatch_and_changes_nothing()
    {
        var team = await CreateTeamAsync(_acme, "inventory");
        Assert.Equal(OutcomeStatus.Done, (await _teams.UpdateAsync(_acme, team.Id, 1, "inventory-core", null, Actor, Ct)).Status);
        var before = await SnapshotAsync();

        var outcome = await _teams.UpdateAsync(_acme, team.Id, 1, "inventory-legacy", null, Actor, Ct);

        Assert.Equal(OutcomeStatus.VersionMismatch, outcome.Status);
        Assert.Equal(before, await SnapshotAsync());
        var stored = await _teams.GetAsync(_acme, team.Id, Ct);
        Assert.Equal(("inventory-core", 2), (stored!.Name, stored.Version));
    }

    [Fact]
    public async Task Delete_with_a_stale_version_is_a_version_mismatch_and_changes_nothing()
    {
        var team = await CreateTeamAsync(_acme, "inventory");
        var before = await SnapshotAsync();

        var outcome = await _teams.DeleteAsync(_acme, team.Id, 2, Actor, Ct);

        Assert.Equal(OutcomeStatus.VersionMismatch, outcome.Status);
        Assert.Equal(before, await SnapshotAsync());
    }

    [Fact]
    public async Task Update_bumps_the_version_and_writes_one_audit_row_with_the_changes()
    {
        var team = await CreateTeamAsync(_acme, "inventory");
        var auditBefore = await AuditCountAsync();

        var outcome = await _teams.UpdateAsync(_acme, team.Id, 1, "inventory-core", null, Actor, Ct);

        Assert.Equal(OutcomeStatus.Done, outcome.Status);
        Assert.Equal(("inventory-core", 2), (outcome.Value!.Name, outcome.Value.Version));
        Assert.Equal(auditBefore + 1, await AuditCountAsync());
        var audit = (await AuditRowsAsync(_acme))[^1];
        Assert.Equal(("team.updated", team.Id.ToString()), (audit.Action, audit.ResourceId));
        Assert.Contains("inventory-core", audit.Summary, StringComparison.Ordinal);
        Assert.Equal(await WritingTransactionAsync("teams", team.Id), audit.TransactionId);
    }

    [Fact]
    public async Task Delete_removes_the_team_its_members_and_keys_and_writes_one_audit_row()
    {
        var team = await CreateTeamAsync(_acme, "to-delete");
        Assert.Equal(OutcomeStatus.Done, (await new MemberStore(DataSource).AddAsync(_acme, team.Id, "a@example.com", null, Role.Viewer, Actor, Ct)).Status);
        var key = NewApiKey.From(ApiKeyToken.Create(), "team key", Role.Operator, null);
        Assert.Equal(OutcomeStatus.Done, (await new ApiKeyStore(DataSource).CreateAsync(_acme, team.Id, key, Actor, Ct)).Status);
        var auditBefore = await AuditCountAsync();

        var outcome = await _teams.DeleteAsync(_acme, team.Id, 1, Actor, Ct);

        Assert.Equal(OutcomeStatus.Done, outcome.Status);
        Assert.Null(await _teams.GetAsync(_acme, team.Id, Ct));
        Assert.Equal(0L, await ScalarAsync<long>("select count(*) from members where team_id = @id", new { id = team.Id }));
        Assert.Equal(0L, await ScalarAsync<long>("select count(*) from api_keys where team_id = @id", new { id = team.Id }));
        Assert.Equal(auditBefore + 1, await AuditCountAsync());
        var audit = (await AuditRowsAsync(_acme))[^1];
        Assert.Equal(("team.deleted", team.Id.ToString()), (audit.Action, audit.ResourceId));
    }

    [Fact]
    public async Task A_name_taken_in_the_organization_is_a_conflict_and_writes_nothing()
    {
        await CreateTeamAsync(_acme, "payments");
        var other = await CreateTeamAsync(_acme, "search");
        var before = await SnapshotAsync();

        Assert.Equal(OutcomeStatus.Conflict, (await _teams.CreateAsync(_acme, "payments", null, Actor, Ct)).Status);
        Assert.Equal(OutcomeStatus.Conflict, (await _teams.UpdateAsync(_acme, other.Id, 1, "payments", null, Actor, Ct)).Status);

        Assert.Equal(before, await SnapshotAsync());
    }

    [Fact]
    public async Task The_same_name_in_another_organization_is_no_conflict()
    {
        await CreateTeamAsync(_globex, "payments");

        Assert.Equal(OutcomeStatus.Done, (await _teams.CreateAsync(_acme, "payments", null, Actor, Ct)).Status);
    }

    [Fact]
    public async Task A_team_change_whose_audit_row_cannot_be_written_is_rolled_back()
    {
        var team = await CreateTeamAsync(_acme, "inventory");
        await RefuseAuditAsync("team.created");
        await RefuseAuditAsync("team.updated");
        await RefuseAuditAsync("team.deleted");
        var before = await SnapshotAsync();

        await AssertCheckViolationAsync(() => _teams.CreateAsync(_acme, "payments", null, Actor, Ct));
        await AssertCheckViolationAsync(() => _teams.UpdateAsync(_acme, team.Id, 1, "renamed", null, Actor, Ct));
        await AssertCheckViolationAsync(() => _teams.DeleteAsync(_acme, team.Id, 1, Actor, Ct));

        Assert.Equal(before, await SnapshotAsync());
    }

    [Fact]
    public async Task Listing_pages_through_teams_in_id_order()
    {
        var created = new List<Guid>();
        foreach (var name in new[] { "a", "b", "c", "d", "e" })
        {
            created.Add((await CreateTeamAsync(_acme, name)).Id);
        }

        var first = await _teams.ListAsync(_acme, null, null, 2, Ct);
        var second = await _teams.ListAsync(_acme, null, first.Items[^1].Id, 2, Ct);
        var third = await _teams.ListAsync(_acme, null, second.Items[^1].Id, 2, Ct);

        Assert.True(first.HasMore);
        Assert.True(second.HasMore);
        Assert.False(third.HasMore);
        Assert.Equal(created.Order(), first.Items.Concat(second.Items).Concat(third.Items).Select(t => t.Id));
    }

    private async Task<TeamRecord> CreateTeamAsync(Guid organizationId, string name)
    {
        var outcome = await _teams.CreateAsync(organizationId, name, null, Actor, Ct);
        Assert.Equal(OutcomeStatus.Done, outcome.Status);
        return outcome.Value!;
    }
}
