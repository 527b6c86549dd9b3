using Faultline.Domain.Tenancy;
using Faultline.Storage.Common;
using Faultline.Storage.Tenancy;

namespace Faultline.Storage.Tests.Tenancy;

public sealed class MemberStoreTests(PostgresServer postgres) : StorageTest(postgres)
{
    private Guid _acme;
    private Guid _globex;
    private TeamRecord _acmeTeam = null!;
    private TeamRecord _globexTeam = null!;
    private MemberStore _members = null!;

    public override async ValueTask InitializeAsync()
    {
        await base.InitializeAsync();
        _acme = await CreateOrganizationAsync("Acme");
        _globex = await CreateOrganizationAsync("Globex");
        var teams = new TeamStore(DataSource);
        _acmeTeam = (await teams.CreateAsync(_acme, "payments", null, Actor, Ct)).Value!;
        _globexTeam = (await teams.CreateAsync(_globex, "secret-project", null, Actor, Ct)).Value!;
        _members = new MemberStore(DataSource);
    }

    [Fact]
    public async Task Add_stores_the_member_and_one_audit_row_in_the_same_transaction()
    {
        var auditBefore = await AuditCountAsync();

        var outcome = await _members.AddAsync(_acme, _acmeTeam.Id, "ada@example.com", "Ada", Role.Operator, Actor, Ct);

        Assert.Equal(OutcomeStatus.Done, outcome.Status);
        var member = outcome.Value!;
        Assert.Equal((_acme, _acmeTeam.Id, "ada@example.com", "Ada", "operator", 1), (member.OrganizationId, member.TeamId, member.Email, member.DisplayName, member.Role, member.Version));
        Assert.Equal(member, await _members.GetAsync(_acme, _acmeTeam.Id, member.Id, Ct));
        Assert.Equal(auditBefore + 1, await AuditCountAsync());
        var audit = (await AuditRowsAsync(_acme))[^1];
        Assert.Equal(("member.added", "member", member.Id.ToString()), (audit.Action, audit.ResourceType, audit.ResourceId));
        Assert.Equal(await WritingTransactionAsync("members", member.Id), audit.TransactionId);
    }

    [Fact]
    public async Task Adding_to_another_organizations_team_is_not_found_and_changes_nothing()
    {
        var before = await SnapshotAsync();

        var outcome = await _members.AddAsync(_acme, _globexTeam.Id, "spy@example.com", null, Role.Admin, Actor, Ct);

        Assert.Equal(OutcomeStatus.NotFound, outcome.Status);
        Assert.Equal(before, await SnapshotAsync());
    }

    [Fact]
    public async Task Adding_to_a_team_that_does_not_exist_is_not_found_and_changes_nothing()
    {
        var before = await SnapshotAsync();

        var outcome = await _members.AddAsync(_acme, Guid.CreateVersion7(), "ghost@example.com", null, Role.Viewer, Actor, Ct);

        Assert.Equal(OutcomeStatus.NotFound, outcome.Status);
        Assert.Equal(before, await SnapshotAsync());
    }

    [Fact]
    public async Task Get_and_list_never_return_another_organizations_member()
    {
        var globexMember = await AddAsync(_globex, _globexTeam.Id, "secret@example.com");
        var acmeMember = await AddAsync(_acme, _acmeTeam.Id, "ada@example.com");

        Assert.Null(await _members.GetAsync(_acme, _globexTeam.Id, globexMember.Id, Ct));
        Assert.Null(await _members.GetAsync(_acme, _acmeTeam.Id, globexMember.Id, Ct));
        Assert.NotNull(await _members.GetAsync(_globex, _globexTeam.Id, globexMember.Id, Ct));
        Assert.Empty((await _members.ListAsync(_acme, _globexTeam.Id, null, 50, Ct)).Items);
        Assert.Equal([acmeMember.Id], (await _members.ListAsync(_acme, _acmeTeam.Id, null, 50, Ct)).Items.Select(m => m.Id));
    }

    [Fact]
    public async Task A_member_is_found_only_under_its_own_team()
    {
        var otherAcmeTeam = (await new TeamStore(DataSource).CreateAsync(_acme, "search", null, Actor, Ct)).Value!;
        var member = await AddAsync(_acme, _acmeTeam.Id, "ada@example.com");
        var before = await SnapshotAsync();

        Assert.Null(await _members.GetAsync(_acme, otherAcmeTeam.Id, member.Id, Ct));
        Assert.Equal(OutcomeStatus.NotFound, (await _members.UpdateAsync(_acme, otherAcmeTeam.Id, member.Id, 1, "x", Role.Admin, Actor, Ct)).Status);
        Assert.Equal(OutcomeStatus.NotFound, (await _members.RemoveAsync(_acme, otherAcmeTeam.Id, member.Id, Actor, Ct)).Status);
        Assert.Equal(before, await SnapshotAsync());
    }

    [Fact]
    public async Task Update_naming_another_organizations_member_is_not_found_and_changes_nothing()
    {
        var globexMember = await AddAsync(_globex, _globexTeam.Id, "secret@example.com");
        var before = await SnapshotAsync();

        var outcome = await _members.UpdateAsync(_acme, _globexTeam.Id, globexMember.Id, 1, "pwned", Role.Admin, Actor, Ct);

        Assert.Equal(OutcomeStatus.NotFound, outcome.Status);
        Assert.Equal(before, await SnapshotAsync());
    }

    [Fact]
    public async Task Remove_naming_another_organizations_member_is_not_found_and_changes_nothing()
    {
        var globexMember = await AddAsync(_globex, _globexTeam.Id, "secret@example.com");
        var before = await SnapshotAsync();

        var outcome = await _members.RemoveAsync(_acme, _globexTeam.Id, globexMember.Id, Actor, Ct);

        Assert.Equal(OutcomeStatus.NotFound, outcome.Status);
        Assert.Equal(before, await SnapshotAsync());
    }

    [Fact]
    public async Task Update_with_a_stale_version_is_a_version_mismatch_and_changes_nothing()
    {
        var member = await AddAsync(_acme, _acmeTeam.Id, "ada@example.com");
        Assert.Equal(OutcomeStatus.Done, (await _members.UpdateAsync(_acme, _acmeTeam.Id, member.Id, 1, "Ada", Role.Operator, Actor, Ct)).Status);
        var before = await SnapshotAsync();

        var outcome = await _members.UpdateAsync(_acme, _acmeTeam.Id, member.Id, 1, "Stale", Role.Admin, Actor, Ct);

        Assert.Equal(OutcomeStatus.VersionMismatch, outcome.Status);
        Assert.Equal(before, await SnapshotAsync());
    }

    [Fact]
    public async Task Update_bumps_the_version_and_writes_one_audit_row()
    {
        var member = await AddAsync(_acme, _acmeTeam.Id, "ada@example.com");
        var auditBefore = await AuditCountAsync();

        var outcome = await _members.UpdateAsync(_acme, _acmeTeam.Id, member.Id, 1, "Ada L.", Role.Admin, Actor, Ct);

        Assert.Equal(OutcomeStatus.Done, outcome.Status);
        Assert.Equal(("Ada L.", "admin", 2), (outcome.Value!.DisplayName, outcome.Value.Role, outcome.Value.Version));
        Assert.Equal(auditBefore + 1, await AuditCountAsync());
        var audit = (await AuditRowsAsync(_acme))[^1];
        Assert.Equal(("member.updated", member.Id.ToString()), (audit.Action, audit.ResourceId));
        Assert.Equal(await WritingTransactionAsync("members", member.Id), audit.TransactionId);
    }

    [Fact]
    public async Task Remove_deletes_the_member_and_writes_one_audit_row()
    {
        var member = await AddAsync(_acme, _acmeTeam.Id, "ada@example.com");
        var auditBefore = await AuditCountAsync();

        var outcome = await _members.RemoveAsync(_acme, _acmeTeam.Id, member.Id, Actor, Ct);

        Assert.Equal(OutcomeStatus.Done, outcome.Status);
        Assert.Null(await _members.GetAsync(_acme, _acmeTeam.Id, member.Id, Ct));
        Assert.Equal(auditBefore + 1, await AuditCountAsync());
        var audit = (await AuditRowsAsync(_acme))[^1];
        Assert.Equal(("member.removed", member.Id.ToString()), (audit.Action, audit.ResourceId));
    }

    [Fact]
    public async Task Removing_twice_is_not_found_the_second_time_and_writes_no_second_audit_row()
    {
        var member = await AddAsync(_acme, _acmeTeam.Id, "ada@example.com");
        Assert.Equal(OutcomeStatus.Done, (await _members.RemoveAsync(_acme, _acmeTeam.Id, member.Id, Actor, Ct)).Status);
        var before = await SnapshotAsync();

        Assert.Equal(OutcomeStatus.NotFound, (await _members.RemoveAsync(_acme, _acmeTeam.Id, member.Id, Actor, Ct)).Status);
        Assert.Equal(before, await SnapshotAsync());
    }

    [Fact]
    public async Task The_same_email_twice_in_a_team_is_a_conflict_and_writes_nothing()
    {
        await AddAsync(_acme, _acmeTeam.Id, "ada@example.com");
        var before = await SnapshotAsync();

        var outcome = await _members.AddAsync(_acme, _acmeTeam.Id, "ada@example.com", "Ada again", Role.Viewer, Actor, Ct);

        Assert.Equal(OutcomeStatus.Conflict, outcome.Status);
        Assert.Equal(before, await SnapshotAsync());
    }

    [Fact]
    public async Task A_member_change_whose_audit_row_cannot_be_written_is_rolled_back()
    {
        var member = await AddAsync(_acme, _acmeTeam.Id, "ada@example.com");
        await RefuseAuditAsync("member.added");
        await RefuseAuditAsync("member.updated");
        await RefuseAuditAsync("member.removed");
        var before = await SnapshotAsync();

        await AssertCheckViolationAsync(() => _members.AddAsync(_acme, _acmeTeam.Id, "bob@example.com", null, Role.Viewer, Actor, Ct));
        await AssertCheckViolationAsync(() => _members.UpdateAsync(_acme, _acmeTeam.Id, member.Id, 1, "x", Role.Admin, Actor, Ct));
        await AssertCheckViolationAsync(() => _members.RemoveAsync(_acme, _acmeTeam.Id, member.Id, Actor, Ct));

        Assert.Equal(before, await SnapshotAsync());
    }

    private async Task<MemberRecord> AddAsync(Guid organizationId, Guid teamId, string email)
    {
        var outcome = await _members.AddAsync(organizationId, teamId, email, null, Role.Viewer, Actor, Ct);
        Assert.Equal(OutcomeStatus.Done, outcome.Status);
        return outcome.Value!;
    }
}
