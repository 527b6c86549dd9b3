using Dapper;
using Faultline.Domain.Tenancy;
using Faultline.Storage.Common;
using Npgsql;

namespace Faultline.Storage.Tenancy;

public sealed class MemberStore(NpgsqlDataSource dataSource) : StoreBase(dataSource)
{
    private const string Columns =
        "id, organization_id as OrganizationId, team_id as TeamId, email, display_name as DisplayName, role, created_at as CreatedAt, updated_at as UpdatedAt, version";

    public async Task<Page<MemberRecord>> ListAsync(Guid organizationId, Guid teamId, Guid? after, int limit, CancellationToken cancellationToken)
    {
        await using var connection = await DataSource.OpenConnectionAsync(cancellationToken);
        var rows = await connection.QueryAsync<MemberRecord>(new CommandDefinition(
            $"""
            select {Columns} from members
            where organization_id = @organizationId and team_id = @teamId and (@after::uuid is null or id > @after)
            order by id limit @take
            """,
            new { organizationId, teamId, after, take = limit + 1 },
            cancellationToken: cancellationToken));
        return ToPage(rows, limit);
    }

    public async Task<MemberRecord?> GetAsync(Guid organizationId, Guid teamId, Guid memberId, CancellationToken cancellationToken)
    {
        await using var connection = await DataSource.OpenConnectionAsync(cancellationToken);
        return await connection.QuerySingleOrDefaultAsync<MemberRecord>(new CommandDefinition(
            $"select {Columns} from members where organization_id = @organizationId and team_id = @teamId and id = @memberId",
            new { organizationId, teamId, memberId },
            cancellationToken: cancellationToken));
    }

    public async Task<Outcome<MemberRecord>> AddAsync(
        Guid organizationId, Guid teamId, string email, string? displayName, Role role, AuditContext audit, CancellationToken cancellationToken)
    {
        try
        {
            return await InTransactionAsync(async (connection, transaction) =>
            {
                // The team must belong to the caller's organization; otherwise the member is not added and the
                // answer is the same as for a team that does not exist.
                var member = await connection.QuerySingleOrDefaultAsync<MemberRecord>(
                    $"""
                    insert into members (id, organization_id, team_id, email, display_name, role)
                    select @id, @organizationId, t.id, @email, @displayName, @role from teams t
                    where t.organization_id = @organizationId and t.id = @teamId
                    returning {Columns}
                    """,
                    new { id = Guid.CreateVersion7(), organizationId, teamId, email, displayName, role = role.ToName() },
                    transaction);
                if (member is null)
                {
                    return Outcome<MemberRecord>.NotFound();
                }

                await AppendAuditAsync(connection, transaction, organizationId, audit, "member.added", "member", member.Id.ToString(),
                    new { teamId, email, displayName, role = role.ToName() });
                return Outcome<MemberRecord>.Done(member);
            }, cancellationToken);
        }
        catch (PostgresException exception) when (IsUniqueViolation(exception))
        {
            return Outcome<MemberRecord>.Conflict();
        }
    }

    public Task<Outcome<MemberRecord>> UpdateAsync(
        Guid organizationId, Guid teamId, Guid memberId, int expectedVersion, string? displayName, Role role, AuditContext audit, CancellationToken cancellationToken) =>
        InTransactionAsync(async (connection, transaction) =>
        {
            var current = await connection.QuerySingleOrDefaultAsync<MemberRecord>(
                $"select {Columns} from members where organization_id = @organizationId and team_id = @teamId and id = @memberId for update",
                new { organizationId, teamId, memberId },
                transaction);
            if (current is null)
            {
                return Outcome<MemberRecord>.NotFound();
            }

            if (current.Version != expectedVersion)
            {
                return Outcome<MemberRecord>.VersionMismatch();
            }

            var updated = await connection.QuerySingleAsync<MemberRecord>(
                $"""
                update members set display_name = @displayName, role = @role, updated_at = now(), version = version + 1
                where organization_id = @organizationId and id = @memberId returning {Columns}
                """,
                new { organizationId, memberId, displayName, role = role.ToName() },
                transaction);
            await AppendAuditAsync(connection, transaction, organizationId, audit, "member.updated", "member", memberId.ToString(),
                Changes(("displayName", current.DisplayName, displayName), ("role", current.Role, role.ToName())));
            return Outcome<MemberRecord>.Done(updated);
        }, cancellationToken);

    public Task<Outcome<MemberRecord>> RemoveAsync(Guid organizationId, Guid teamId, Guid memberId, AuditContext audit, CancellationToken cancellationToken) =>
        InTransactionAsync(async (connection, transaction) =>
        {
            var removed = await connection.QuerySingleOrDefaultAsync<MemberRecord>(
                $"delete from members where organization_id = @organizationId and team_id = @teamId and id = @memberId returning {Columns}",
                new { organizationId, teamId, memberId },
                transaction);
            if (removed is null)
            {
                return Outcome<MemberRecord>.NotFound();
            }

            await AppendAuditAsync(connection, transaction, organizationId, audit, "member.removed", "member", memberId.ToString(), new { teamId, email = removed.Email });
            return Outcome<MemberRecord>.Done(removed);
        }, cancellationToken);
}
