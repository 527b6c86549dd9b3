using Dapper;
using Faultline.Storage.Common;
using Npgsql;

namespace Faultline.Storage.Tenancy;

public sealed class TeamStore(NpgsqlDataSource dataSource) : StoreBase(dataSource)
{
    private const string Columns = "id, organization_id as OrganizationId, name, description, created_at as CreatedAt, updated_at as UpdatedAt, version";

    /// <summary>Teams of one organization in id order; <paramref name="onlyTeamId"/> narrows a team-bound key to its team.</summary>
    public async Task<Page<TeamRecord>> ListAsync(Guid organizationId, Guid? onlyTeamId, Guid? after, int limit, CancellationToken cancellationToken)
    {
        await using var connection = await DataSource.OpenConnectionAsync(cancellationToken);
        var rows = await connection.QueryAsync<TeamRecord>(new CommandDefinition(
            $"""
            select {Columns} from teams
            where organization_id = @organizationId
              and (@onlyTeamId::uuid is null or id = @onlyTeamId)
              and (@after::uuid is null or id > @after)
            order by id limit @take
            """,
            new { organizationId, onlyTeamId, after, take = limit + 1 },
            cancellationToken: cancellationToken));
        return ToPage(rows, limit);
    }

    public async Task<TeamRecord?> GetAsync(Guid organizationId, Guid teamId, CancellationToken cancellationToken)
    {
        await using var connection = await DataSource.OpenConnectionAsync(cancellationToken);
        return await connection.QuerySingleOrDefaultAsync<TeamRecord>(new CommandDefinition(
            $"select {Columns} from teams where organization_id = @organizationId and id = @teamId",
            new { organizationId, teamId },
            cancellationToken: cancellationToken));
    }

    public async Task<Outcome<TeamRecord>> CreateAsync(Guid organizationId, string name, string? description, AuditContext audit, CancellationToken cancellationToken)
    {
        try
        {
            return await InTransactionAsync(async (connection, transaction) =>
            {
                var team = await InsertAsync(connection, transaction, organizationId, name, description);
                await AppendAuditAsync(connection, transaction, organizationId, audit, "team.created", "team", team.Id.ToString(), new { name, description });
                return Outcome<TeamRecord>.Done(team);
            }, cancellationToken);
        }
        catch (PostgresException exception) when (IsUniqueViolation(exception))
        {
            return Outcome<TeamRecord>.Conflict();
        }
    }

    public async Task<Outcome<TeamRecord>> UpdateAsync(
        Guid organizationId, Guid teamId, int expectedVersion, string name, string? description, AuditContext audit, CancellationToken cancellationToken)
    {
        try
        {
            return await InTransactionAsync(async (connection, transaction) =>
            {
                var current = await connection.QuerySingleOrDefaultAsync<TeamRecord>(
                    $"select {Columns} from teams where organization_id = @organizationId and id = @teamId for update",
                    new { organizationId, teamId },
                    transaction);
                if (current is null)
                {
                    return Outcome<TeamRecord>.NotFound();
                }

                if (current.Version != expectedVersion)
                {
                    return Outcome<TeamRecord>.VersionMismatch();
                }

                var updated = await connection.QuerySingleAsync<TeamRecord>(
                    $"""
                    update teams set name = @name, description = @description, updated_at = now(), version = version + 1
                    where organization_id = @organizationId and id = @teamId returning {Columns}
                    """,
                    new { organizationId, teamId, name, description },
                    transaction);
                await AppendAuditAsync(connection, transaction, organizationId, audit, "team.updated", "team", teamId.ToString(),
                    Changes(("name", current.Name, name), ("description", current.Description, description)));
                return Outcome<TeamRecord>.Done(updated);
            }, cancellationToken);
        }
        catch (PostgresException exception) when (IsUniqueViolation(exception))
        {
            return Outcome<TeamRecord>.Conflict();
        }
    }

    /// <summary>Deletes a team with its members and team-bound keys (cascade), if the version still matches.</summary>
    public Task<Outcome<TeamRecord>> DeleteAsync(Guid organizationId, Guid teamId, int expectedVersion, AuditContext audit, CancellationToken cancellationToken) =>
        InTransactionAsync(async (connection, transaction) =>
        {
            var current = await connection.QuerySingleOrDefaultAsync<TeamRecord>(
                $"select {Columns} from teams where organization_id = @organizationId and id = @teamId for update",
                new { organizationId, teamId },
                transaction);
            if (current is null)
            {
                return Outcome<TeamRecord>.NotFound();
            }

            if (current.Version != expectedVersion)
            {
                return Outcome<TeamRecord>.VersionMismatch();
            }

            await connection.ExecuteAsync("delete from teams where organization_id = @organizationId and id = @teamId", new { organizationId, teamId }, transaction);
            await AppendAuditAsync(connection, transaction, organizationId, audit, "team.deleted", "team", teamId.ToString(), new { name = current.Name });
            return Outcome<TeamRecord>.Done(current);
        }, cancellationToken);

    internal static Task<TeamRecord> InsertAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, Guid organizationId, string name, string? description) =>
        connection.QuerySingleAsync<TeamRecord>(
            $"insert into teams (id, organization_id, name, description) values (@id, @organizationId, @name, @description) returning {Columns}",
            new { id = Guid.CreateVersion7(), organizationId, name, description },
            transaction);
}
