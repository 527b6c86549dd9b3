using Dapper;
using Faultline.Domain.Tenancy;
using Faultline.Storage.Common;
using Npgsql;

namespace Faultline.Storage.Tenancy;

public sealed class ApiKeyStore(NpgsqlDataSource dataSource) : StoreBase(dataSource)
{
    private const string Columns =
        "id, organization_id as OrganizationId, team_id as TeamId, name, role, lookup, created_by as CreatedBy, created_at as CreatedAt, " +
        "expires_at as ExpiresAt, revoked_at as RevokedAt, last_used_at as LastUsedAt, approver";

    /// <summary>Keys of one organization; <paramref name="onlyTeamId"/> narrows a team-bound caller to its team's keys.</summary>
    public async Task<Page<ApiKeyRecord>> ListAsync(Guid organizationId, Guid? onlyTeamId, Guid? after, int limit, CancellationToken cancellationToken)
    {
        await using var connection = await DataSource.OpenConnectionAsync(cancellationToken);
        var rows = await connection.QueryAsync<ApiKeyRecord>(new CommandDefinition(
            $"""
            select {Columns} from api_keys
            where organization_id = @organizationId
              and (@onlyTeamId::uuid is null or team_id = @onlyTeamId)
              and (@after::uuid is null or id > @after)
            order by id limit @take
            """,
            new { organizationId, onlyTeamId, after, take = limit + 1 },
            cancellationToken: cancellationToken));
        return ToPage(rows, limit);
    }

    public async Task<ApiKeyRecord?> GetAsync(Guid organizationId, Guid keyId, CancellationToken cancellationToken)
    {
        await using var connection = await DataSource.OpenConnectionAsync(cancellationToken);
        return await connection.QuerySingleOrDefaultAsync<ApiKeyRecord>(new CommandDefinition(
            $"select {Columns} from api_keys where organization_id = @organizationId and id = @keyId",
            new { organizationId, keyId },
            cancellationToken: cancellationToken));
    }

    /// <summary>Stores a new key. A team-bound key's team must belong to the organization, else NotFound.</summary>
    public Task<Outcome<ApiKeyRecord>> CreateAsync(Guid organizationId, Guid? teamId, NewApiKey key, AuditContext audit, CancellationToken cancellationToken) =>
        InTransactionAsync(async (connection, transaction) =>
        {
            if (teamId is not null && !await connection.ExecuteScalarAsync<bool>(
                    "select exists (select 1 from teams where organization_id = @organizationId and id = @teamId)",
                    new { organizationId, teamId },
                    transaction))
            {
                return Outcome<ApiKeyRecord>.NotFound();
            }

            var id = await InsertAsync(connection, transaction, organizationId, teamId, key, audit.ActorKeyId);
            await AppendAuditAsync(connection, transaction, organizationId, audit, "apiKey.created", "apiKey", id.ToString(),
                new { name = key.Name, role = key.Role.ToName(), teamId, expiresAt = key.ExpiresAt });
            return Outcome<ApiKeyRecord>.Done(await ReadAsync(connection, transaction, id));
        }, cancellationToken);

    /// <summary>Revokes a key. Revoking an already revoked key changes nothing and writes no audit entry.</summary>
    public Task<Outcome<ApiKeyRecord>> RevokeAsync(Guid organizationId, Guid keyId, AuditContext audit, CancellationToken cancellationToken) =>
        InTransactionAsync(async (connection, transaction) =>
        {
            var current = await connection.QuerySingleOrDefaultAsync<ApiKeyRecord>(
                $"select {Columns} from api_keys where organization_id = @organizationId and id = @keyId for update",
                new { organizationId, keyId },
                transaction);
            if (current is null)
            {
                return Outcome<ApiKeyRecord>.NotFound();
            }

            if (current.RevokedAt is not null)
            {
                return Outcome<ApiKeyRecord>.Done(current);
            }

            var revoked = await connection.QuerySingleAsync<ApiKeyRecord>(
                $"update api_keys set revoked_at = now() where id = @keyId returning {Columns}", new { keyId }, transaction);
            await AppendAuditAsync(connection, transaction, organizationId, audit, "apiKey.revoked", "apiKey", keyId.ToString(), new { name = current.Name });
            return Outcome<ApiKeyRecord>.Done(revoked);
        }, cancellationToken);

    /// <summary>Finds a key by its lookup prefix for authentication. The caller checks hash, expiry and revocation.</summary>
    public async Task<ApiKeyCredential?> FindCredentialAsync(string lookup, CancellationToken cancellationToken)
    {
        await using var connection = await DataSource.OpenConnectionAsync(cancellationToken);
        return await connection.QuerySingleOrDefaultAsync<ApiKeyCredential>(new CommandDefinition(
            """
            select k.id, k.organization_id as OrganizationId, k.team_id as TeamId, k.name, k.role, k.token_hash as TokenHash,
                   k.expires_at as ExpiresAt, k.revoked_at as RevokedAt, k.last_used_at as LastUsedAt, o.is_operator as IsOperatorOrganization, k.approver
            from api_keys k join organizations o on o.id = k.organization_id
            where k.lookup = @lookup
            """,
            new { lookup },
            cancellationToken: cancellationToken));
    }

    /// <summary>Records use at minute granularity, so authentication does not write on every request.</summary>
    public async Task TouchAsync(Guid keyId, CancellationToken cancellationToken)
    {
        await using var connection = await DataSource.OpenConnectionAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition(
            "update api_keys set last_used_at = now() where id = @keyId and (last_used_at is null or last_used_at < now() - interval '1 minute')",
            new { keyId },
            cancellationToken: cancellationToken));
    }

    internal static Task<ApiKeyRecord> ReadAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, Guid id) =>
        connection.QuerySingleAsync<ApiKeyRecord>($"select {Columns} from api_keys where id = @id", new { id }, transaction);

    internal static async Task<Guid> InsertAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, Guid organizationId, Guid? teamId, NewApiKey key, Guid? createdBy)
    {
        var id = Guid.CreateVersion7();
        await connection.ExecuteAsync(
            """
            insert into api_keys (id, organization_id, team_id, name, role, lookup, token_hash, created_by, expires_at, approver)
            values (@id, @organizationId, @teamId, @name, @role, @lookup, @tokenHash, @createdBy, @expiresAt, @approver)
            """,
            new { id, organizationId, teamId, name = key.Name, role = key.Role.ToName(), lookup = key.Lookup, tokenHash = key.TokenHash, createdBy, expiresAt = key.ExpiresAt, approver = key.Approver },
            transaction);
        return id;
    }
}
