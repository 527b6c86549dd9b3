using Dapper;
using Faultline.Storage.Common;
using Npgsql;

namespace Faultline.Storage.Policies;

/// <summary>A team's blast-radius policy as JSON; a team without a row is unrestricted.</summary>
public sealed record TeamPolicyRecord(Guid TeamId, Guid OrganizationId, string Policy, int Version, DateTime UpdatedAt);

/// <summary>Blast-radius policies, one per team, versioned for ETags and audited on every change.</summary>
public sealed class PolicyStore(NpgsqlDataSource dataSource) : StoreBase(dataSource)
{
    private const string Columns = "team_id as TeamId, organization_id as OrganizationId, policy::text as Policy, version, updated_at as UpdatedAt";

    public async Task<TeamPolicyRecord?> GetAsync(Guid organizationId, Guid teamId, CancellationToken cancellationToken)
    {
        await using var connection = await DataSource.OpenConnectionAsync(cancellationToken);
        return await connection.QuerySingleOrDefaultAsync<TeamPolicyRecord>(new CommandDefinition(
            $"select {Columns} from team_policies where organization_id = @organizationId and team_id = @teamId",
            new { organizationId, teamId },
            cancellationToken: cancellationToken));
    }

    /// <summary>Creates or replaces; <paramref name="expectedVersion"/> (from If-Match) guards a replace.</summary>
    public async Task<Outcome<TeamPolicyRecord>> PutAsync(
        Guid organizationId, Guid teamId, string policy, int? expectedVersion, AuditContext audit, CancellationToken cancellationToken) =>
        await InTransactionAsync(async (connection, transaction) =>
        {
            var saved = await connection.QuerySingleOrDefaultAsync<TeamPolicyRecord>(
                $"""
                insert into team_policies as p (team_id, organization_id, policy)
                select @teamId, @organizationId, @policy::jsonb
                where exists (select 1 from teams where id = @teamId and organization_id = @organizationId)
                on conflict (team_id) do update set policy = excluded.policy, version = p.version + 1, updated_at = now()
                    where p.organization_id = @organizationId and (@expectedVersion::int is null or p.version = @expectedVersion)
                returning {Columns}
                """,
                new { organizationId, teamId, policy, expectedVersion },
                transaction);
            if (saved is null)
            {
                var exists = await connection.ExecuteScalarAsync<bool>(
                    "select exists (select 1 from teams where id = @teamId and organization_id = @organizationId)", new { organizationId, teamId }, transaction);
                return exists ? Outcome<TeamPolicyRecord>.VersionMismatch() : Outcome<TeamPolicyRecord>.NotFound();
            }

            await AppendAuditAsync(connection, transaction, organizationId, audit, "policy.updated", "team", teamId.ToString(), new { version = saved.Version });
            return Outcome<TeamPolicyRecord>.Done(saved);
        }, cancellationToken);
}
