using Dapper;
using Faultline.Storage.Common;
using Faultline.Storage.Runs;
using Npgsql;

namespace Faultline.Storage.Policies;

/// <summary>
/// Halt switches at team, organization and global scope. Engaging or releasing one is audited in the same
/// transaction and wakes every node (NOTIFY), which aborts the runs in scope; nodes also re-check halts on
/// a timer, so a lost notification delays the stop by at most that period.
/// </summary>
public sealed class HaltStore(NpgsqlDataSource dataSource) : StoreBase(dataSource)
{
    /// <summary>Active halts that cover a run of <c>@organizationId</c> / <c>@teamId</c>.</summary>
    public const string CoversRunPredicate =
        """
        released_at is null and (scope = 'global' or (scope = 'organization' and organization_id = @organizationId)
            or (scope = 'team' and team_id = @teamId))
        """;

    public async Task<HaltRecord> EngageAsync(
        string scope, Guid? organizationId, Guid? teamId, string reason, AuditContext audit, CancellationToken cancellationToken) =>
        await InTransactionAsync(async (connection, transaction) =>
        {
            var halt = await connection.QuerySingleAsync<HaltRecord>(
                $"""
                insert into halt_switches (id, scope, organization_id, team_id, reason, created_by)
                values (@id, @scope, @organizationId, @teamId, @reason, @createdBy)
                returning {HaltRecord.Columns}
                """,
                new { id = Guid.CreateVersion7(), scope, organizationId, teamId, reason, createdBy = audit.ActorName },
                transaction);

            // A global halt is audited in the organization of the operator who pulled it.
            var auditOrganization = organizationId ?? await OrganizationOfKeyAsync(connection, transaction, audit);
            if (auditOrganization is { } org)
            {
                await AppendAuditAsync(connection, transaction, org, audit, "halt.engaged", "halt", halt.Id.ToString(), new { scope, teamId, reason });
            }

            await ClusterNotify(connection, transaction, cancellationToken);
            return halt;
        }, cancellationToken);

    public async Task<Outcome<HaltRecord>> ReleaseAsync(Guid haltId, Guid? organizationId, AuditContext audit, CancellationToken cancellationToken) =>
        await InTransactionAsync(async (connection, transaction) =>
        {
            var released = await connection.QuerySingleOrDefaultAsync<HaltRecord>(
                $"""
                update halt_switches set released_at = now(), released_by = @releasedBy
                where id = @haltId and released_at is null
                  and (@organizationId::uuid is null and scope = 'global' or organization_id = @organizationId)
                returning {HaltRecord.Columns}
                """,
                new { haltId, organizationId, releasedBy = audit.ActorName },
                transaction);
            if (released is null)
            {
                return Outcome<HaltRecord>.NotFound();
            }

            var auditOrganization = organizationId ?? await OrganizationOfKeyAsync(connection, transaction, audit);
            if (auditOrganization is { } org)
            {
                await AppendAuditAsync(connection, transaction, org, audit, "halt.released", "halt", haltId.ToString(), new { released.Scope, released.TeamId, released.Reason });
            }

            return Outcome<HaltRecord>.Done(released);
        }, cancellationToken);

    /// <summary>Halts visible to an organization: its own and the global ones.</summary>
    public async Task<IReadOnlyList<HaltRecord>> ListAsync(Guid organizationId, bool includeReleased, CancellationToken cancellationToken)
    {
        await using var connection = await DataSource.OpenConnectionAsync(cancellationToken);
        var rows = await connection.QueryAsync<HaltRecord>(new CommandDefinition(
            $"""
            select {HaltRecord.Columns} from halt_switches
            where (organization_id = @organizationId or scope = 'global') and (@includeReleased or released_at is null)
            order by created_at desc limit 500
            """,
            new { organizationId, includeReleased },
            cancellationToken: cancellationToken));
        return rows.AsList();
    }

    /// <summary>The first active halt covering a run of this organization and team, or null.</summary>
    public async Task<HaltRecord?> FindCoveringAsync(Guid organizationId, Guid? teamId, CancellationToken cancellationToken)
    {
        await using var connection = await DataSource.OpenConnectionAsync(cancellationToken);
        return await FindCoveringAsync(connection, null, organizationId, teamId, cancellationToken);
    }

    public static Task<HaltRecord?> FindCoveringAsync(
        NpgsqlConnection connection, NpgsqlTransaction? transaction, Guid organizationId, Guid? teamId, CancellationToken cancellationToken) =>
        connection.QueryFirstOrDefaultAsync<HaltRecord>(new CommandDefinition(
            $"select {HaltRecord.Columns} from halt_switches where {CoversRunPredicate} order by created_at limit 1",
            new { organizationId, teamId },
            transaction,
            cancellationToken: cancellationToken));

    private static Task ClusterNotify(NpgsqlConnection connection, NpgsqlTransaction transaction, CancellationToken cancellationToken) =>
        Cluster.ClusterNotifications.NotifyAsync(connection, transaction, RunChannels.Work, RunChannels.Halt, cancellationToken);

    private static Task<Guid?> OrganizationOfKeyAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, AuditContext audit) =>
        audit.ActorKeyId is { } keyId
            ? connection.QuerySingleOrDefaultAsync<Guid?>("select organization_id from api_keys where id = @keyId", new { keyId }, transaction)
            : Task.FromResult<Guid?>(null);
}
