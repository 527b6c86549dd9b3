using System.Text.Json.Nodes;
using Faultline.Storage.Common;
using Faultline.Storage.Policies;
using Faultline.Storage.Tenancy;

namespace Faultline.Storage.Tests.Policies;

public sealed class PolicyStoreTests(PostgresServer postgres) : StorageTest(postgres)
{
    private const string Strict = """{"maxConcurrentRuns": 1, "approvalRequired": true, "forbiddenTargets": ["db-primary"]}""";
    private const string Relaxed = """{"maxConcurrentRuns": 5, "approvalRequired": false}""";

    private Guid _acme;
    private Guid _globex;
    private TeamRecord _payments = null!;
    private TeamRecord _globexTeam = null!;
    private PolicyStore _policies = null!;

    public override async ValueTask InitializeAsync()
    {
        await base.InitializeAsync();
        _acme = await CreateOrganizationAsync("Acme");
        _globex = await CreateOrganizationAsync("Globex");
        var teams = new TeamStore(DataSource);
        _payments = (await teams.CreateAsync(_acme, "payments", null, Actor, Ct)).Value!;
        _globexTeam = (await teams.CreateAsync(_globex, "secret-project", null, Actor, Ct)).Value!;
        _policies = new PolicyStore(DataSource);
    }

    [Fact]
    public async Task A_team_without_a_policy_has_none()
    {
        Assert.Null(await _policies.GetAsync(_acme, _payments.Id, Ct));
    }

    [Fact]
    public async Task A_put_policy_reads_back_as_stored_at_version_1_with_one_audit_row_in_the_same_transaction()
    {
        var outcome = await _policies.PutAsync(_acme, _payments.Id, Strict, null, Actor, Ct);

        Assert.Equal(OutcomeStatus.Done, outcome.Status);
        var saved = outcome.Value!;
        Assert.Equal((_payments.Id, _acme, 1), (saved.TeamId, saved.OrganizationId, saved.Version));
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(Strict), JsonNode.Parse(saved.Policy)));
        Assert.Equal(saved, await _policies.GetAsync(_acme, _payments.Id, Ct));
        var audit = Assert.Single(await AuditRowsAsync(_acme), row => row.Action == "policy.updated");
        Assert.Equal(("team", _payments.Id.ToString()), (audit.ResourceType, audit.ResourceId));
        Assert.Contains("\"version\": 1", audit.Summary, StringComparison.Ordinal);
        Assert.Equal(
            await ScalarAsync<string>("select xmin::text from team_policies where team_id = @id", new { id = _payments.Id }),
            audit.TransactionId);
    }

    [Fact]
    public async Task Each_put_replaces_the_policy_and_bumps_the_version()
    {
        var first = (await _policies.PutAsync(_acme, _payments.Id, Strict, null, Actor, Ct)).Value!;

        var second = await _policies.PutAsync(_acme, _payments.Id, Relaxed, 1, Actor, Ct);
        var third = await _policies.PutAsync(_acme, _payments.Id, Strict, null, Actor, Ct);

        Assert.Equal((OutcomeStatus.Done, 2), (second.Status, second.Value!.Version));
        Assert.Equal((OutcomeStatus.Done, 3), (third.Status, third.Value!.Version));
        Assert.True(second.Value.UpdatedAt >= first.UpdatedAt);
        var stored = (await _policies.GetAsync(_acme, _payments.Id, Ct))!;
        Assert.Equal(3, stored.Version);
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(Strict), JsonNode.Parse(stored.Policy)));
        Assert.Equal(1L, await ScalarAsync<long>("select count(*) from team_policies"));
        Assert.Equal(3, (await AuditRowsAsync(_acme)).Count(row => row.Action == "policy.updated"));
    }

    [Fact]
    public async Task A_put_with_a_stale_version_is_a_version_mismatch_and_changes_nothing()
    {
        await _policies.PutAsync(_acme, _payments.Id, Strict, null, Actor, Ct);
        await _policies.PutAsync(_acme, _payments.Id, Relaxed, 1, Actor, Ct);
        var stored = await _policies.GetAsync(_acme, _payments.Id, Ct);
        var before = await SnapshotAsync();

        var outcome = await _policies.PutAsync(_acme, _payments.Id, Strict, 1, Actor, Ct);

        Assert.Equal(OutcomeStatus.VersionMismatch, outcome.Status);
        Assert.Null(outcome.Value);
        Assert.Equal(stored, await _policies.GetAsync(_acme, _payments.Id, Ct));
        Assert.Equal(before, await SnapshotAsync());
    }

    [Fact]
    public async Task A_put_for_another_organizations_team_is_not_found_and_changes_nothing()
    {
        var theirs = (await _policies.PutAsync(_globex, _globexTeam.Id, Strict, null, Actor, Ct)).Value!;
        var before = await SnapshotAsync();

        var outcome = await _policies.PutAsync(_acme, _globexTeam.Id, Relaxed, null, Actor, Ct);
        var withVersion = await _policies.PutAsync(_acme, _globexTeam.Id, Relaxed, 1, Actor, Ct);
        var unknownTeam = await _policies.PutAsync(_acme, Guid.CreateVersion7(), Relaxed, null, Actor, Ct);

        Assert.Equal(
            (OutcomeStatus.NotFound, OutcomeStatus.NotFound, OutcomeStatus.NotFound),
            (outcome.Status, withVersion.Status, unknownTeam.Status));
        Assert.Equal(before, await SnapshotAsync());
        Assert.Equal(theirs, await _policies.GetAsync(_globex, _globexTeam.Id, Ct));
        Assert.Null(await _policies.GetAsync(_acme, _globexTeam.Id, Ct));
        Assert.Equal(1L, await ScalarAsync<long>("select count(*) from team_policies"));
    }
}
