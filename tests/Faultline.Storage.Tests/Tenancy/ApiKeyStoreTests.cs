using Faultline.Domain.Tenancy;
using Faultline.Storage.Common;
using Faultline.Storage.Tenancy;

namespace Faultline.Storage.Tests.Tenancy;

public sealed class ApiKeyStoreTests(PostgresServer postgres) : StorageTest(postgres)
{
    private Guid _acme;
    private Guid _globex;
    private TeamRecord _acmeTeam = null!;
    private TeamRecord _globexTeam = null!;
    private ApiKeyStore _keys = null!;

    public override async ValueTask InitializeAsync()
    {
        await base.InitializeAsync();
        _acme = await CreateOrganizationAsync("Acme");
        _globex = await CreateOrganizationAsync("Globex");
        var teams = new TeamStore(DataSource);
        _acmeTeam = (await teams.CreateAsync(_acme, "payments", null, Actor, Ct)).Value!;
        _globexTeam = (await teams.CreateAsync(_globex, "secret-project", null, Actor, Ct)).Value!;
        _keys = new ApiKeyStore(DataSource);
    }

    [Fact]
    public async Task Create_stores_lookup_and_hash_only_and_one_audit_row_in_the_same_transaction()
    {
        var token = ApiKeyToken.Create();
        var auditBefore = await AuditCountAsync();

        var outcome = await _keys.CreateAsync(_acme, _acmeTeam.Id, NewApiKey.From(token, "ci", Role.Operator, null), Actor, Ct);

        Assert.Equal(OutcomeStatus.Done, outcome.Status);
        var key = outcome.Value!;
        Assert.Equal((_acme, (Guid?)_acmeTeam.Id, "ci", "operator", token.Lookup, Actor.ActorKeyId), (key.OrganizationId, key.TeamId, key.Name, key.Role, key.Lookup, key.CreatedBy));
        Assert.Null(key.RevokedAt);
        Assert.Equal(key, await _keys.GetAsync(_acme, key.Id, Ct));
        Assert.Equal(token.Hash(), await ScalarAsync<byte[]>("select token_hash from api_keys where id = @id", new { id = key.Id }));
        var secret = token.Value[(token.Lookup.Length + 5)..];
        Assert.Equal(0L, await ScalarAsync<long>(
            "select count(*) from api_keys k where strpos(row_to_json(k)::text, @secret) > 0", new { secret }));

        Assert.Equal(auditBefore + 1, await AuditCountAsync());
        var audit = (await AuditRowsAsync(_acme))[^1];
        Assert.Equal(("apiKey.created", "apiKey", key.Id.ToString()), (audit.Action, audit.ResourceType, audit.ResourceId));
        Assert.DoesNotContain(secret, audit.Summary, StringComparison.Ordinal);
        Assert.Equal(await WritingTransactionAsync("api_keys", key.Id), audit.TransactionId);
    }

    [Fact]
    public async Task Creating_a_key_bound_to_another_organizations_team_is_not_found_and_changes_nothing()
    {
        var before = await SnapshotAsync();

        var outcome = await _keys.CreateAsync(_acme, _globexTeam.Id, NewKey("smuggled", Role.Admin), Actor, Ct);

        Assert.Equal(OutcomeStatus.NotFound, outcome.Status);
        Assert.Equal(before, await SnapshotAsync());
    }

    [Fact]
    public async Task Get_and_list_never_return_another_organizations_key()
    {
        var globexKey = await CreateKeyAsync(_globex, null, "globex owner", Role.Owner);
        var acmeKey = await CreateKeyAsync(_acme, null, "acme owner", Role.Owner);

        Assert.Null(await _keys.GetAsync(_acme, globexKey.Id, Ct));
        Assert.NotNull(await _keys.GetAsync(_globex, globexKey.Id, Ct));
        Assert.Equal([acmeKey.Id], (await _keys.ListAsync(_acme, null, null, 50, Ct)).Items.Select(k => k.Id));
        Assert.Empty((await _keys.ListAsync(_acme, _globexTeam.Id, null, 50, Ct)).Items);
    }

    [Fact]
    public async Task Listing_for_a_team_returns_only_that_teams_keys()
    {
        var search = (await new TeamStore(DataSource).CreateAsync(_acme, "search", null, Actor, Ct)).Value!;
        await CreateKeyAsync(_acme, null, "org", Role.Admin);
        var paymentsKey = await CreateKeyAsync(_acme, _acmeTeam.Id, "payments", Role.Operator);
        await CreateKeyAsync(_acme, search.Id, "search", Role.Operator);

        Assert.Equal([paymentsKey.Id], (await _keys.ListAsync(_acme, _acmeTeam.Id, null, 50, Ct)).Items.Select(k => k.Id));
        Assert.Equal(3, (await _keys.ListAsync(_acme, null, null, 50, Ct)).Items.Count);
    }

    [Fact]
    public async Task Revoking_another_organizations_key_is_not_found_and_changes_nothing()
    {
        var globexKey = await CreateKeyAsync(_globex, null, "globex owner", Role.Owner);
        var before = await SnapshotAsync();

        var outcome = await _keys.RevokeAsync(_acme, globexKey.Id, Actor, Ct);

        Assert.Equal(OutcomeStatus.NotFound, outcome.Status);
        Assert.Equal(before, await SnapshotAsync());
        Assert.Null((await _keys.GetAsync(_globex, globexKey.Id, Ct))!.RevokedAt);
    }

    [Fact]
    public async Task Revoke_sets_revoked_at_and_writes_one_audit_row_and_a_second_revoke_writes_none()
    {
        var key = await CreateKeyAsync(_acme, _acmeTeam.Id, "ci", Role.Operator);
        var auditBefore = await AuditCountAsync();

        var first = await _keys.RevokeAsync(_acme, key.Id, Actor, Ct);

        Assert.Equal(OutcomeStatus.Done, first.Status);
        Assert.NotNull(first.Value!.RevokedAt);
        Assert.Equal(auditBefore + 1, await AuditCountAsync());
        var audit = (await AuditRowsAsync(_acme))[^1];
        Assert.Equal(("apiKey.revoked", key.Id.ToString()), (audit.Action, audit.ResourceId));
        Assert.Equal(await WritingTransactionAsync("api_keys", key.Id), audit.TransactionId);

        var before = await SnapshotAsync();
        var second = await _keys.RevokeAsync(_acme, key.Id, Actor, Ct);

        Assert.Equal(OutcomeStatus.Done, second.Status);
        Assert.Equal(first.Value.RevokedAt, second.Value!.RevokedAt);
        Assert.Equal(before, await SnapshotAsync());
    }

    [Fact]
    public async Task A_key_change_whose_audit_row_cannot_be_written_is_rolled_back()
    {
        var key = await CreateKeyAsync(_acme, null, "ci", Role.Admin);
        await RefuseAuditAsync("apiKey.created");
        await RefuseAuditAsync("apiKey.revoked");
        var before = await SnapshotAsync();

        await AssertCheckViolationAsync(() => _keys.CreateAsync(_acme, null, NewKey("other", Role.Viewer), Actor, Ct));
        await AssertCheckViolationAsync(() => _keys.RevokeAsync(_acme, key.Id, Actor, Ct));

        Assert.Equal(before, await SnapshotAsync());
    }

    [Fact]
    public async Task The_credential_is_found_by_lookup_with_its_hash_and_organization_kind()
    {
        await ExecuteAsync("update organizations set is_operator = true where id = @id", new { id = _globex });
        var acmeToken = ApiKeyToken.Create();
        var globexToken = ApiKeyToken.Create();
        Assert.Equal(OutcomeStatus.Done, (await _keys.CreateAsync(_acme, _acmeTeam.Id, NewApiKey.From(acmeToken, "acme", Role.Viewer, null), Actor, Ct)).Status);
        Assert.Equal(OutcomeStatus.Done, (await _keys.CreateAsync(_globex, null, NewApiKey.From(globexToken, "globex", Role.Owner, null), Actor, Ct)).Status);

        var acme = await _keys.FindCredentialAsync(acmeToken.Lookup, Ct);
        var globex = await _keys.FindCredentialAsync(globexToken.Lookup, Ct);

        Assert.NotNull(acme);
        Assert.Equal((_acme, (Guid?)_acmeTeam.Id, "viewer", false), (acme.OrganizationId, acme.TeamId, acme.Role, acme.IsOperatorOrganization));
        Assert.True(ApiKeyToken.TryParse(acmeToken.Value)!.Matches(acme.TokenHash));
        Assert.False(ApiKeyToken.TryParse(globexToken.Value)!.Matches(acme.TokenHash));
        Assert.NotNull(globex);
        Assert.True(globex.IsOperatorOrganization);
        Assert.Null(await _keys.FindCredentialAsync(ApiKeyToken.Create().Lookup, Ct));
    }

    [Fact]
    public async Task Touch_records_use_at_most_once_a_minute()
    {
        var key = await CreateKeyAsync(_acme, null, "ci", Role.Viewer);

        await _keys.TouchAsync(key.Id, Ct);
        var firstUse = (await _keys.GetAsync(_acme, key.Id, Ct))!.LastUsedAt;
        await _keys.TouchAsync(key.Id, Ct);
        var secondUse = (await _keys.GetAsync(_acme, key.Id, Ct))!.LastUsedAt;

        Assert.NotNull(firstUse);
        Assert.Equal(firstUse, secondUse);

        await ExecuteAsync("update api_keys set last_used_at = now() - interval '2 minutes' where id = @id", new { id = key.Id });
        var stale = (await _keys.GetAsync(_acme, key.Id, Ct))!.LastUsedAt;
        await _keys.TouchAsync(key.Id, Ct);
        Assert.True((await _keys.GetAsync(_acme, key.Id, Ct))!.LastUsedAt > stale);
    }

    private static NewApiKey NewKey(string name, Role role) => NewApiKey.From(ApiKeyToken.Create(), name, role, null);

    private async Task<ApiKeyRecord> CreateKeyAsync(Guid organizationId, Guid? teamId, string name, Role role)
    {
        var outcome = await _keys.CreateAsync(organizationId, teamId, NewKey(name, role), Actor, Ct);
        Assert.Equal(OutcomeStatus.Done, outcome.Status);
        return outcome.Value!;
    }
}
