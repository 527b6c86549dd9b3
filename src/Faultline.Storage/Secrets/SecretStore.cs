using Dapper;
using Faultline.Storage.Common;
using Npgsql;

namespace Faultline.Storage.Secrets;

/// <summary>
/// Team secrets, sealed by an <see cref="ISecretProtector"/> before they reach the database. Metadata reads never
/// select the ciphertext; only <see cref="ReadValuesAsync"/> opens values, for the engine. Every change writes its
/// audit entry in the same transaction, naming the secret and its version, never the value.
/// </summary>
public sealed class SecretStore(NpgsqlDataSource dataSource, ISecretProtector protector) : StoreBase(dataSource), ISecretReader
{
    private const string Returning = $"returning {SecretRecord.Columns}";

    public async Task<SecretRecord?> GetAsync(Guid organizationId, Guid teamId, string name, CancellationToken cancellationToken)
    {
        await using var connection = await DataSource.OpenConnectionAsync(cancellationToken);
        return await connection.QuerySingleOrDefaultAsync<SecretRecord>(new CommandDefinition(
            $"select {SecretRecord.Columns} from secrets where organization_id = @organizationId and team_id = @teamId and name = @name",
            new { organizationId, teamId, name },
            cancellationToken: cancellationToken));
    }

    public async Task<Page<SecretRecord>> ListAsync(Guid organizationId, Guid teamId, Guid? after, int limit, CancellationToken cancellationToken)
    {
        await using var connection = await DataSource.OpenConnectionAsync(cancellationToken);
        var rows = await connection.QueryAsync<SecretRecord>(new CommandDefinition(
            $"""
            select {SecretRecord.Columns} from secrets
            where organization_id = @organizationId and team_id = @teamId and (@after::uuid is null or id > @after)
            order by id limit @take
            """,
            new { organizationId, teamId, after, take = limit + 1 },
            cancellationToken: cancellationToken));
        return ToPage(rows, limit);
    }

    /// <summary>Which of <paramref name="names"/> exist in the team, to check an experiment's references.</summary>
    public async Task<IReadOnlySet<string>> ExistingNamesAsync(Guid organizationId, Guid teamId, IReadOnlyCollection<string> names, CancellationToken cancellationToken)
    {
        await using var connection = await DataSource.OpenConnectionAsync(cancellationToken);
        var found = await connection.QueryAsync<string>(new CommandDefinition(
            "select name from secrets where organization_id = @organizationId and team_id = @teamId and name = any(@names)",
            new { organizationId, teamId, names = names.ToArray() },
            cancellationToken: cancellationToken));
        return found.ToHashSet(StringComparer.Ordinal);
    }

    /// <summary>
    /// Creates the secret or replaces its value. With <paramref name="expectedVersion"/> (If-Match) only an existing
    /// secret at that version is replaced; without, the last writer wins.
    /// </summary>
    public async Task<Outcome<SecretPut>> PutAsync(
        Guid organizationId, Guid teamId, string name, string value, int? expectedVersion, AuditContext audit, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(audit);
        var sealedValue = protector.Protect(value, new SecretBinding(organizationId, teamId, name));
        var parameters = new
        {
            id = Guid.CreateVersion7(),
            organizationId,
            teamId,
            name,
            ciphertext = sealedValue.Ciphertext,
            nonce = sealedValue.Nonce,
            keyId = sealedValue.KeyId,
            actor = audit.ActorName,
            expectedVersion,
        };
        return await InTransactionAsync(async (connection, transaction) =>
        {
            SecretPut? put;
            if (expectedVersion is null)
            {
                // xmax = 0 only for a row this statement inserted: tells a create from a replace.
                put = await SingleAsync(connection, transaction,
                    $"""
                    insert into secrets as s (id, organization_id, team_id, name, ciphertext, nonce, key_id, created_by, updated_by)
                    select @id, @organizationId, @teamId, @name, @ciphertext, @nonce, @keyId, @actor, @actor
                    where exists (select 1 from teams where id = @teamId and organization_id = @organizationId)
                    on conflict (team_id, name) do update
                        set ciphertext = excluded.ciphertext, nonce = excluded.nonce, key_id = excluded.key_id,
                            updated_at = now(), updated_by = excluded.updated_by, version = s.version + 1
                        where s.organization_id = @organizationId
                    {Returning}, (xmax = 0) as Created
                    """,
                    parameters);
            }
            else
            {
                put = await SingleAsync(connection, transaction,
                    $"""
                    update secrets set ciphertext = @ciphertext, nonce = @nonce, key_id = @keyId, updated_at = now(), updated_by = @actor, version = version + 1
                    where organization_id = @organizationId and team_id = @teamId and name = @name and version = @expectedVersion
                    {Returning}, false as Created
                    """,
                    parameters);
            }

            if (put is null)
            {
                return await MissedAsync<SecretPut>(connection, transaction, organizationId, teamId, name);
            }

            await AppendAuditAsync(connection, transaction, organizationId, audit, put.Created ? "secret.created" : "secret.replaced", "secret", put.Secret.Id.ToString(),
                new { teamId, name, version = put.Secret.Version, keyId = put.Secret.KeyId });
            return Outcome<SecretPut>.Done(put);
        }, cancellationToken);
    }

    public Task<Outcome<SecretRecord>> DeleteAsync(
        Guid organizationId, Guid teamId, string name, int? expectedVersion, AuditContext audit, CancellationToken cancellationToken) =>
        InTransactionAsync(async (connection, transaction) =>
        {
            var deleted = await connection.QuerySingleOrDefaultAsync<SecretRecord>(
                $"""
                delete from secrets
                where organization_id = @organizationId and team_id = @teamId and name = @name and (@expectedVersion::int is null or version = @expectedVersion)
                {Returning}
                """,
                new { organizationId, teamId, name, expectedVersion },
                transaction);
            if (deleted is null)
            {
                return await MissedAsync<SecretRecord>(connection, transaction, organizationId, teamId, name);
            }

            await AppendAuditAsync(connection, transaction, organizationId, audit, "secret.deleted", "secret", deleted.Id.ToString(),
                new { teamId, name, version = deleted.Version });
            return Outcome<SecretRecord>.Done(deleted);
        }, cancellationToken);

    public async Task<IReadOnlyDictionary<string, string>> ReadValuesAsync(
        Guid organizationId, Guid teamId, IReadOnlyCollection<string> names, CancellationToken cancellationToken)
    {
        await using var connection = await DataSource.OpenConnectionAsync(cancellationToken);
        var rows = await connection.QueryAsync<SealedRow>(new CommandDefinition(
            "select name, ciphertext, nonce, key_id as KeyId from secrets where organization_id = @organizationId and team_id = @teamId and name = any(@names)",
            new { organizationId, teamId, names = names.ToArray() },
            cancellationToken: cancellationToken));
        return rows.ToDictionary(
            row => row.Name,
            row => protector.Unprotect(new SealedSecret(row.Ciphertext, row.Nonce, row.KeyId), new SecretBinding(organizationId, teamId, row.Name)),
            StringComparer.Ordinal);
    }

    private static async Task<SecretPut?> SingleAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string sql, object parameters)
    {
        var row = await connection.QuerySingleOrDefaultAsync<PutRow>(sql, parameters, transaction);
        return row is null
            ? null
            : new SecretPut(
                new SecretRecord(row.Id, row.OrganizationId, row.TeamId, row.Name, row.KeyId, row.CreatedAt, row.CreatedBy, row.UpdatedAt, row.UpdatedBy, row.Version),
                row.Created);
    }

    /// <summary>Nothing was written: a stale If-Match when the secret exists, otherwise no such team or secret.</summary>
    private static async Task<Outcome<T>> MissedAsync<T>(NpgsqlConnection connection, NpgsqlTransaction transaction, Guid organizationId, Guid teamId, string name)
    {
        var exists = await connection.ExecuteScalarAsync<bool>(
            "select exists (select 1 from secrets where organization_id = @organizationId and team_id = @teamId and name = @name)",
            new { organizationId, teamId, name },
            transaction);
        return exists ? Outcome<T>.VersionMismatch() : Outcome<T>.NotFound();
    }

    private sealed record SealedRow(string Name, byte[] Ciphertext, byte[] Nonce, string KeyId);

    private sealed record PutRow(
        Guid Id, Guid OrganizationId, Guid TeamId, string Name, string KeyId, DateTime CreatedAt, string CreatedBy, DateTime UpdatedAt, string UpdatedBy, int Version, bool Created);
}
