using Faultline.Domain.Tenancy;
using Faultline.Storage.Common;
using Faultline.Storage.Tenancy;

namespace Faultline.Storage.Tests.Tenancy;

public sealed class OrganizationStoreTests(PostgresServer postgres) : StorageTest(postgres)
{
    private OrganizationStore _organizations = null!;

    public override async ValueTask InitializeAsync()
    {
        await base.InitializeAsync();
        _organizations = new OrganizationStore(DataSource);
    }

    [Fact]
    public async Task Bootstrap_creates_the_operator_organization_its_first_team_and_owner_key()
    {
        var token = ApiKeyToken.Create();

        var result = await _organizations.BootstrapAsync("Acme Platform", "platform", NewApiKey.From(token, "owner", Role.Owner, null), Ct);

        Assert.NotNull(result);
        Assert.Equal(("Acme Platform", "acme-platform", true, 1), (result.Organization.Name, result.Organization.Slug, result.Organization.IsOperator, result.Organization.Version));
        Assert.Equal((result.Organization.Id, "platform"), (result.Team.OrganizationId, result.Team.Name));
        var credential = await new ApiKeyStore(DataSource).FindCredentialAsync(token.Lookup, Ct);
        Assert.NotNull(credential);
        Assert.Equal((result.OwnerKeyId, result.Organization.Id, (Guid?)null, "owner", true), (credential.Id, credential.OrganizationId, credential.TeamId, credential.Role, credential.IsOperatorOrganization));
        var audit = await AuditRowsAsync(result.Organization.Id);
        Assert.Equal(["organization.created", "team.created", "apiKey.created"], audit.Select(a => a.Action));
        Assert.All(audit, a => Assert.Equal("system:bootstrap", a.ActorName));
        Assert.Single(audit.Select(a => a.TransactionId).Distinct());
        Assert.Equal(await WritingTransactionAsync("organizations", result.Organization.Id), audit[0].TransactionId);
    }

    [Fact]
    public async Task Bootstrap_on_a_bootstrapped_database_returns_null_and_changes_nothing()
    {
        Assert.NotNull(await BootstrapAsync());
        var before = await SnapshotAsync();

        Assert.Null(await BootstrapAsync());
        Assert.Equal(before, await SnapshotAsync());
    }

    [Fact]
    public async Task Five_concurrent_bootstraps_create_exactly_one_operator_organization()
    {
        const int nodes = 5;
        var start = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var allReady = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var ready = 0;
        var attempts = Enumerable.Range(0, nodes).Select(i => Task.Run(async () =>
        {
            // Each node has its own connection open before the race starts.
            await using var warm = await DataSource.OpenConnectionAsync(Ct);
            var ownerKey = NewApiKey.From(ApiKeyToken.Create(), $"owner {i}", Role.Owner, null);
            if (Interlocked.Increment(ref ready) == nodes)
            {
                allReady.SetResult();
            }

            await start.Task;
            await warm.CloseAsync();
            return await _organizations.BootstrapAsync($"Operator {i}", $"platform {i}", ownerKey, Ct);
        })).ToList();
        await allReady.Task.WaitAsync(TimeSpan.FromSeconds(30), Ct);
        start.SetResult();

        var results = await Task.WhenAll(attempts);

        var winner = Assert.Single(results, r => r is not null)!;
        Assert.Equal(1L, await ScalarAsync<long>("select count(*) from organizations"));
        Assert.Equal(1L, await ScalarAsync<long>("select count(*) from organizations where is_operator"));
        Assert.Equal(winner.Organization.Id, await ScalarAsync<Guid>("select id from organizations"));
        Assert.Equal(1L, await ScalarAsync<long>("select count(*) from teams"));
        Assert.Equal(1L, await ScalarAsync<long>("select count(*) from api_keys"));
        Assert.Equal(3L, await AuditCountAsync());
    }

    [Fact]
    public async Task Rename_bumps_the_version_and_writes_one_audit_row_in_the_organizations_own_log()
    {
        var acme = (await BootstrapAsync())!.Organization;
        var other = await CreateOrganizationAsync("Globex");
        var auditBefore = await AuditCountAsync(acme.Id);

        var outcome = await _organizations.RenameAsync(acme.Id, 1, "Acme Corp", Actor, Ct);

        Assert.Equal(OutcomeStatus.Done, outcome.Status);
        Assert.Equal(("Acme Corp", acme.Slug, 2), (outcome.Value!.Name, outcome.Value.Slug, outcome.Value.Version));
        Assert.Equal(auditBefore + 1, await AuditCountAsync(acme.Id));
        Assert.Equal(0L, await AuditCountAsync(other));
        var audit = (await AuditRowsAsync(acme.Id))[^1];
        Assert.Equal(("organization.updated", acme.Id.ToString()), (audit.Action, audit.ResourceId));
        Assert.Equal(await WritingTransactionAsync("organizations", acme.Id), audit.TransactionId);
    }

    [Fact]
    public async Task Rename_with_a_stale_version_is_a_version_mismatch_and_changes_nothing()
    {
        var acme = (await BootstrapAsync())!.Organization;
        Assert.Equal(OutcomeStatus.Done, (await _organizations.RenameAsync(acme.Id, 1, "Acme Corp", Actor, Ct)).Status);
        var before = await SnapshotAsync();

        var outcome = await _organizations.RenameAsync(acme.Id, 1, "Acme Stale", Actor, Ct);

        Assert.Equal(OutcomeStatus.VersionMismatch, outcome.Status);
        Assert.Equal(before, await SnapshotAsync());
        Assert.Equal("Acme Corp", (await _organizations.GetAsync(acme.Id, Ct))!.Name);
    }

    [Fact]
    public async Task Reading_or_renaming_an_organization_that_does_not_exist_is_null_or_not_found()
    {
        await BootstrapAsync();
        var before = await SnapshotAsync();
        var missing = Guid.CreateVersion7();

        Assert.Null(await _organizations.GetAsync(missing, Ct));
        Assert.Equal(OutcomeStatus.NotFound, (await _organizations.RenameAsync(missing, 1, "Ghost", Actor, Ct)).Status);
        Assert.Equal(before, await SnapshotAsync());
    }

    [Fact]
    public async Task Creating_a_tenant_writes_one_audit_row_in_each_organization_in_the_same_transaction()
    {
        var operatorOrganization = (await BootstrapAsync())!.Organization;
        var token = ApiKeyToken.Create();
        var operatorAuditBefore = await AuditCountAsync(operatorOrganization.Id);

        var outcome = await _organizations.CreateTenantAsync(operatorOrganization.Id, "Globex", "globex", NewApiKey.From(token, "globex owner", Role.Owner, null), Actor, Ct);

        Assert.Equal(OutcomeStatus.Done, outcome.Status);
        var (tenant, ownerKey) = outcome.Value!;
        Assert.Equal(("Globex", "globex", false), (tenant.Name, tenant.Slug, tenant.IsOperator));
        Assert.Equal((tenant.Id, (Guid?)null, "owner", token.Lookup), (ownerKey.OrganizationId, ownerKey.TeamId, ownerKey.Role, ownerKey.Lookup));
        var tenantAudit = Assert.Single(await AuditRowsAsync(tenant.Id));
        Assert.Equal(("organization.created", tenant.Id.ToString()), (tenantAudit.Action, tenantAudit.ResourceId));
        Assert.Equal(operatorAuditBefore + 1, await AuditCountAsync(operatorOrganization.Id));
        var operatorAudit = (await AuditRowsAsync(operatorOrganization.Id))[^1];
        Assert.Equal(("tenant.created", tenant.Id.ToString()), (operatorAudit.Action, operatorAudit.ResourceId));
        var transaction = await WritingTransactionAsync("organizations", tenant.Id);
        Assert.Equal(transaction, tenantAudit.TransactionId);
        Assert.Equal(transaction, operatorAudit.TransactionId);
        Assert.Equal(transaction, await WritingTransactionAsync("api_keys", ownerKey.Id));
    }

    [Fact]
    public async Task A_taken_slug_is_a_conflict_and_creates_nothing()
    {
        var operatorOrganization = (await BootstrapAsync())!.Organization;
        Assert.Equal(OutcomeStatus.Done, (await CreateTenantAsync(operatorOrganization.Id, "globex")).Status);
        var before = await SnapshotAsync();

        var outcome = await CreateTenantAsync(operatorOrganization.Id, "globex");

        Assert.Equal(OutcomeStatus.Conflict, outcome.Status);
        Assert.Equal(before, await SnapshotAsync());
    }

    [Fact]
    public async Task A_tenant_whose_audit_row_cannot_be_written_is_not_created()
    {
        var operatorOrganization = (await BootstrapAsync())!.Organization;
        await RefuseAuditAsync("tenant.created");
        var before = await SnapshotAsync();

        await AssertCheckViolationAsync(() => CreateTenantAsync(operatorOrganization.Id, "globex"));

        Assert.Equal(before, await SnapshotAsync());
    }

    private Task<BootstrapResult?> BootstrapAsync() =>
        _organizations.BootstrapAsync("Acme Platform", "platform", NewApiKey.From(ApiKeyToken.Create(), "owner", Role.Owner, null), Ct);

    private Task<Outcome<TenantCreated>> CreateTenantAsync(Guid operatorOrganizationId, string slug) =>
        _organizations.CreateTenantAsync(operatorOrganizationId, slug, slug, NewApiKey.From(ApiKeyToken.Create(), "owner", Role.Owner, null), Actor, Ct);
}
