using Dapper;
using Faultline.Storage.Common;
using Npgsql;

namespace Faultline.Storage.Agents;

/// <summary>Agent tokens: issued, listed and revoked with their audit entries; looked up by prefix to authenticate.</summary>
public sealed class AgentTokenStore(NpgsqlDataSource dataSource) : StoreBase(dataSource)
{
    private const string Columns =
        "id, organization_id as OrganizationId, team_id as TeamId, name, lookup, created_at as CreatedAt, created_by as CreatedBy, " +
        "revoked_at as RevokedAt, revoked_by as RevokedBy, last_used_at as LastUsedAt";

    /// <summary>Tokens of one organization; <paramref name="onlyTeamId"/> narrows a team-bound caller to its team's tokens.</summary>
    public async Task<Page<AgentTokenRecord>> ListAsync(Guid organizationId, Guid? onlyTeamId, Guid? after, int limit, CancellationToken cancellationToken)
    {
        await using var connection = await DataSource.OpenConnectionAsync(cancellationToken);
        var rows = await connection.QueryAsync<AgentTokenRecord>(new CommandDefinition(
            $"""
            select {Columns} from agent_tokens
            where organization_id = @organizationId
              and (@onlyTeamId::uuid is null or team_id = @onlyTeamId)
              and (@after::uuid is null or id > @after)
            order by id limit @take
            """,
            new { organizationId, onlyTeamId, after, take = limit + 1 },
            cancellationToken: cancellationToken));
        return ToPage(rows, limit);
    }

    public async Task<AgentTokenRecord?> GetAsync(Guid organizationId, Guid tokenId, CancellationToken cancellationToken)
    {
        await using var connection = await DataSource.OpenConnectionAsync(cancellationToken);
        return await connection.QuerySingleOrDefaultAsync<AgentTokenRecord>(new CommandDefinition(
            $"select {Columns} from agent_tokens where organization_id = @organizationId and id = @tokenId",
            new { organizationId, tokenId },
            cancellationToken: cancellationToken));
    }

    /// <summary>Stores a new token (its lookup and hash only). A team-bound token's team must belong to the organization, else NotFound.</summary>
    public Task<Outcome<AgentTokenRecord>> CreateAsync(
        Guid organizationId, Guid? teamId, string name, string lookup, byte[] secretHash, AuditContext audit, CancellationToken cancellationToken) =>
        InTransactionAsync(async (connection, transaction) =>
        {
            if (teamId is not null && !await connection.ExecuteScalarAsync<bool>(
                    "select exists (select 1 from teams where organization_id = @organizationId and id = @teamId)",
                    new { organizationId, teamId },
                    transaction))
            {
                return Outcome<AgentTokenRecord>.NotFound();
            }

            var id = Guid.CreateVersion7();
            var created = await connection.QuerySingleAsync<AgentTokenRecord>(
                $"""
                insert into agent_tokens (id, organization_id, team_id, name, lookup, secret_hash, created_by)
                values (@id, @organizationId, @teamId, @name, @lookup, @secretHash, @createdBy)
                returning {Columns}
                """,
                new { id, organizationId, teamId, name, lookup, secretHash, createdBy = audit.ActorName },
                transaction);
            await AppendAuditAsync(connection, transaction, organizationId, audit, "agentToken.created", "agentToken", id.ToString(), new { name, teamId });
            return Outcome<AgentTokenRecord>.Done(created);
        }, cancellationToken);

    /// <summary>Revokes a token. Revoking an already revoked token changes nothing and writes no audit entry.</summary>
    public Task<Outcome<AgentTokenRecord>> RevokeAsync(Guid organizationId, Guid tokenId, AuditContext audit, CancellationToken cancellationToken) =>
        InTransactionAsync(async (connection, transaction) =>
        {
            var current = await connection.QuerySingleOrDefaultAsync<AgentTokenRecord>(
                $"select {Columns} from agent_tokens where organization_id = @organizationId and id = @tokenId for update",
                new { organizationId, tokenId },
                transaction);
            if (current is null || current.RevokedAt is not null)
            {
                return current is null ? Outcome<AgentTokenRecord>.NotFound() : Outcome<AgentTokenRecord>.Done(current);
            }

            var revoked = await connection.QuerySingleAsync<AgentTokenRecord>(
                $"update agent_tokens set revoked_at = now(), revoked_by = @revokedBy where id = @tokenId returning {Columns}",
                new { tokenId, revokedBy = audit.ActorName },
                transaction);
            await AppendAuditAsync(connection, transaction, organizationId, audit, "agentToken.revoked", "agentToken", tokenId.ToString(), new { name = current.Name });
            return Outcome<AgentTokenRecord>.Done(revoked);
        }, cancellationToken);

    /// <summary>Finds a token by its lookup prefix for authentication. The caller checks the hash and revocation.</summary>
    public async Task<AgentTokenCredential?> FindCredentialAsync(string lookup, CancellationToken cancellationToken)
    {
        await using var connection = await DataSource.OpenConnectionAsync(cancellationToken);
        return await connection.QuerySingleOrDefaultAsync<AgentTokenCredential>(new CommandDefinition(
            """
            select id, organization_id as OrganizationId, team_id as TeamId, name, secret_hash as SecretHash, revoked_at as RevokedAt, last_used_at as LastUsedAt
            from agent_tokens where lookup = @lookup
            """,
            new { lookup },
            cancellationToken: cancellationToken));
    }

    /// <summary>Records use at minute granularity, so a polling agent does not write on every request.</summary>
    public async Task TouchAsync(Guid tokenId, CancellationToken cancellationToken)
    {
        await using var connection = await DataSource.OpenConnectionAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition(
            "update agent_tokens set last_used_at = now() where id = @tokenId and (last_used_at is null or last_used_at < now() - interval '1 minute')",
            new { tokenId },
            cancellationToken: cancellationToken));
    }
}
