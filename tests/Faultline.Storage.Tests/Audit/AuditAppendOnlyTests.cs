using Faultline.Storage.Audit;
using Faultline.Storage.Common;
using Faultline.Storage.Tenancy;
using Npgsql;

namespace Faultline.Storage.Tests.Audit;

public sealed class AuditAppendOnlyTests(PostgresServer postgres) : StorageTest(postgres)
{
    private const string InsufficientPrivilege = "42501";

    private Guid _organizationId;
    private string _before = "";

    public override async ValueTask InitializeAsync()
    {
        await base.InitializeAsync();
        _organizationId = await CreateOrganizationAsync("Acme");
        var teams = new TeamStore(DataSource);
        Assert.Equal(OutcomeStatus.Done, (await teams.CreateAsync(_organizationId, "payments", "Checkout", Actor, Ct)).Status);
        Assert.Equal(OutcomeStatus.Done, (await teams.CreateAsync(_organizationId, "search", null, Actor, Ct)).Status);
        Assert.Equal(2, (await AuditRowsAsync(_organizationId)).Count);
        _before = await AuditLogAsync();
    }

    [Theory]
    [InlineData("update audit_events set actor_name = 'mallory'")]
    [InlineData("update audit_events set summary = '{}'::jsonb where id = (select max(id) from audit_events)")]
    [InlineData("update audit_events set organization_id = organization_id")]
    [InlineData("delete from audit_events")]
    [InlineData("delete from audit_events where action = 'team.created'")]
    [InlineData("truncate audit_events")]
    [InlineData("truncate table audit_events restart identity cascade")]
    public async Task Rewriting_the_audit_log_is_refused_and_leaves_every_row_in_place(string sql)
    {
        var exception = await Assert.ThrowsAsync<PostgresException>(() => ExecuteAsync(sql));

        Assert.Equal(InsufficientPrivilege, exception.SqlState);
        Assert.Contains("append-only", exception.MessageText, StringComparison.Ordinal);
        Assert.Equal(_before, await AuditLogAsync());
    }

    [Fact]
    public async Task Deleting_an_organization_cannot_erase_its_audit_trail_through_the_cascade()
    {
        var exception = await Assert.ThrowsAsync<PostgresException>(
            () => ExecuteAsync("delete from organizations where id = @id", new { id = _organizationId }));

        Assert.Equal(InsufficientPrivilege, exception.SqlState);
        Assert.Equal(_before, await AuditLogAsync());
        Assert.Equal(1L, await ScalarAsync<long>("select count(*) from organizations where id = @id", new { id = _organizationId }));
    }

    [Fact]
    public async Task Appending_still_works_and_the_new_entry_is_readable()
    {
        var team = (await new TeamStore(DataSource).CreateAsync(_organizationId, "edge", null, Actor, Ct)).Value!;

        var page = await new AuditLogStore(DataSource).QueryAsync(_organizationId, new AuditFilter(), before: null, limit: 10, Ct);

        Assert.Equal(3, page.Items.Count);
        Assert.Equal(team.Id.ToString(), page.Items[0].ResourceId);
        Assert.StartsWith(_before, await AuditLogAsync(), StringComparison.Ordinal);
    }

    private Task<string> AuditLogAsync() =>
        ScalarAsync<string>("select coalesce(string_agg(row_to_json(a)::text, E'\\n' order by a.id), '') from audit_events a");
}
