using Dapper;
using Faultline.Domain.Tenancy;
using Faultline.Storage.Common;
using Npgsql;

namespace Faultline.Storage.Tenancy;

public sealed class OrganizationStore(NpgsqlDataSource dataSource) : StoreBase(dataSource)
{
    private const string Columns = "id, name, slug, is_operator as IsOperator, created_at as CreatedAt, updated_at as UpdatedAt, version";

    public async Task<OrganizationRecord?> GetAsync(Guid organizationId, CancellationToken cancellationToken)
    {
        await using var connection = await DataSource.OpenConnectionAsync(cancellationToken);
        return await connection.QuerySingleOrDefaultAsync<OrganizationRecord>(
            new CommandDefinition($"select {Columns} from organizations where id = @organizationId", new { organizationId }, cancellationToken: cancellationToken));
    }

    public Task<Outcome<OrganizationRecord>> RenameAsync(Guid organizationId, int expectedVersion, string name, AuditContext audit, CancellationToken cancellationToken) =>
        InTransactionAsync(async (connection, transaction) =>
        {
            var current = await connection.QuerySingleOrDefaultAsync<OrganizationRecord>(
                $"select {Columns} from organizations where id = @organizationId for update", new { organizationId }, transaction);
            if (current is null)
            {
                return Outcome<OrganizationRecord>.NotFound();
            }

            if (current.Version != expectedVersion)
            {
                return Outcome<OrganizationRecord>.VersionMismatch();
            }

            var updated = await connection.QuerySingleAsync<OrganizationRecord>(
                $"update organizations set name = @name, updated_at = now(), version = version + 1 where id = @organizationId returning {Columns}",
                new { organizationId, name },
                transaction);
            await AppendAuditAsync(connection, transaction, organizationId, audit, "organization.updated", "organization", organizationId.ToString(), Changes(("name", current.Name, name)));
            return Outcome<OrganizationRecord>.Done(updated);
        }, cancellationToken);

    /// <summary>
    /// Creates a tenant with its first owner key. The new organization's audit log starts with its own
    /// creation; the operator organization's log records that it created a tenant.
    /// </summary>
    public async Task<Outcome<TenantCreated>> CreateTenantAsync(
        Guid operatorOrganizationId, string name, string slug, NewApiKey ownerKey, AuditContext audit, CancellationToken cancellationToken)
    {
        try
        {
            return await InTransactionAsync(async (connection, transaction) =>
            {
                var organization = await InsertOrganizationAsync(connection, transaction, name, slug, isOperator: false);
                var keyId = await ApiKeyStore.InsertAsync(connection, transaction, organization.Id, null, ownerKey, audit.ActorKeyId);
                await AppendAuditAsync(connection, transaction, organization.Id, audit, "organization.created", "organization", organization.Id.ToString(), new { name, slug, ownerKey = ownerKey.Name });
                await AppendAuditAsync(connection, transaction, operatorOrganizationId, audit, "tenant.created", "organization", organization.Id.ToString(), new { name, slug });
                return Outcome<TenantCreated>.Done(new TenantCreated(organization, await ApiKeyStore.ReadAsync(connection, transaction, keyId)));
            }, cancellationToken);
        }
        catch (PostgresException exception) when (IsUniqueViolation(exception))
        {
            return Outcome<TenantCreated>.Conflict();
        }
    }

    /// <summary>
    /// First start: when no organization exists, creates the operator organization, a first team and an
    /// owner key. A transaction-scoped advisory lock makes concurrent first starts create it once.
    /// Returns null when the platform was already bootstrapped.
    /// </summary>
    public Task<BootstrapResult?> BootstrapAsync(string organizationName, string teamName, NewApiKey ownerKey, CancellationToken cancellationToken) =>
        InTransactionAsync(async (connection, transaction) =>
        {
            await connection.ExecuteAsync("select pg_advisory_xact_lock(7236372738393742)", transaction: transaction);
            if (await connection.ExecuteScalarAsync<bool>("select exists (select 1 from organizations)", transaction: transaction))
            {
                return null;
            }

            var audit = AuditContext.System("bootstrap");
            var organization = await InsertOrganizationAsync(connection, transaction, organizationName, Slugs.From(organizationName), isOperator: true);
            var team = await TeamStore.InsertAsync(connection, transaction, organization.Id, teamName, "Created at first start.");
            var keyId = await ApiKeyStore.InsertAsync(connection, transaction, organization.Id, null, ownerKey, null);
            await AppendAuditAsync(connection, transaction, organization.Id, audit, "organization.created", "organization", organization.Id.ToString(), new { name = organizationName, bootstrap = true });
            await AppendAuditAsync(connection, transaction, organization.Id, audit, "team.created", "team", team.Id.ToString(), new { name = teamName });
            await AppendAuditAsync(connection, transaction, organization.Id, audit, "apiKey.created", "apiKey", keyId.ToString(), new { name = ownerKey.Name, role = ownerKey.Role.ToName() });
            return new BootstrapResult(organization, team, keyId);
        }, cancellationToken);

    private static Task<OrganizationRecord> InsertOrganizationAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string name, string slug, bool isOperator) =>
        connection.QuerySingleAsync<OrganizationRecord>(
            $"insert into organizations (id, name, slug, is_operator) values (@id, @name, @slug, @isOperator) returning {Columns}",
            new { id = Guid.CreateVersion7(), name, slug, isOperator },
            transaction);
}
