using Dapper;
using Faultline.Storage.Common;
using Npgsql;

namespace Faultline.Storage.Experiments;

public sealed class ExperimentStore(NpgsqlDataSource dataSource) : StoreBase(dataSource)
{
    private const string Columns =
        "id, organization_id as OrganizationId, team_id as TeamId, name, source_format as SourceFormat, source_text as SourceText, " +
        "spec::text as Spec, created_at as CreatedAt, updated_at as UpdatedAt, version";

    /// <summary>Experiments of an organization; <paramref name="onlyTeamId"/> narrows a team-bound key to its team's.</summary>
    public async Task<Page<ExperimentRecord>> ListAsync(Guid organizationId, Guid? onlyTeamId, Guid? after, int limit, CancellationToken cancellationToken)
    {
        await using var connection = await DataSource.OpenConnectionAsync(cancellationToken);
        var rows = await connection.QueryAsync<ExperimentRecord>(new CommandDefinition(
            $"""
            select {Columns} from experiments
            where organization_id = @organizationId
              and (@onlyTeamId::uuid is null or team_id = @onlyTeamId)
              and (@after::uuid is null or id > @after)
            order by id limit @take
            """,
            new { organizationId, onlyTeamId, after, take = limit + 1 },
            cancellationToken: cancellationToken));
        return ToPage(rows, limit);
    }

    public async Task<ExperimentRecord?> GetAsync(Guid organizationId, Guid experimentId, CancellationToken cancellationToken)
    {
        await using var connection = await DataSource.OpenConnectionAsync(cancellationToken);
        return await connection.QuerySingleOrDefaultAsync<ExperimentRecord>(new CommandDefinition(
            $"select {Columns} from experiments where organization_id = @organizationId and id = @experimentId",
            new { organizationId, experimentId },
            cancellationToken: cancellationToken));
    }

    public async Task<Outcome<ExperimentRecord>> CreateAsync(Guid organizationId, ExperimentDocument document, AuditContext audit, CancellationToken cancellationToken)
    {
        try
        {
            return await InTransactionAsync(async (connection, transaction) =>
            {
                var created = await connection.QuerySingleAsync<ExperimentRecord>(
                    $"""
                    insert into experiments (id, organization_id, team_id, name, source_format, source_text, spec, schedule_cron, schedule_concurrency)
                    values (@id, @organizationId, @teamId, @name, @sourceFormat, @sourceText, @spec::jsonb, @scheduleCron, @scheduleConcurrency)
                    returning {Columns}
                    """,
                    WithDocument(document, new { id = Guid.CreateVersion7(), organizationId }),
                    transaction);
                await AppendAuditAsync(connection, transaction, organizationId, audit, "experiment.created", "experiment", created.Id.ToString(),
                    new { name = document.Name, teamId = document.TeamId, sourceFormat = document.SourceFormat });
                return Outcome<ExperimentRecord>.Done(created);
            }, cancellationToken);
        }
        catch (PostgresException exception) when (IsUniqueViolation(exception))
        {
            return Outcome<ExperimentRecord>.Conflict();
        }
    }

    public async Task<Outcome<ExperimentRecord>> ReplaceAsync(
        Guid organizationId, Guid experimentId, int expectedVersion, ExperimentDocument document, AuditContext audit, CancellationToken cancellationToken)
    {
        try
        {
            return await InTransactionAsync(async (connection, transaction) =>
            {
                var current = await connection.QuerySingleOrDefaultAsync<ExperimentRecord>(
                    $"select {Columns} from experiments where organization_id = @organizationId and id = @experimentId for update",
                    new { organizationId, experimentId },
                    transaction);
                if (current is null)
                {
                    return Outcome<ExperimentRecord>.NotFound();
                }

                if (current.Version != expectedVersion)
                {
                    return Outcome<ExperimentRecord>.VersionMismatch();
                }

                var updated = await connection.QuerySingleAsync<ExperimentRecord>(
                    $"""
                    update experiments set team_id = @teamId, name = @name, source_format = @sourceFormat, source_text = @sourceText,
                           spec = @spec::jsonb, updated_at = now(), version = version + 1,
                           schedule_cron = @scheduleCron, schedule_concurrency = @scheduleConcurrency,
                           next_fire_at = case when schedule_cron is not distinct from @scheduleCron then next_fire_at end
                    where organization_id = @organizationId and id = @experimentId
                    returning {Columns}
                    """,
                    WithDocument(document, new { organizationId, experimentId }),
                    transaction);
                await AppendAuditAsync(connection, transaction, organizationId, audit, "experiment.updated", "experiment", experimentId.ToString(),
                    Changes(("name", current.Name, document.Name), ("teamId", current.TeamId, document.TeamId), ("sourceFormat", current.SourceFormat, document.SourceFormat),
                        ("spec", "previous", current.Spec == document.Spec ? "previous" : "changed")));
                return Outcome<ExperimentRecord>.Done(updated);
            }, cancellationToken);
        }
        catch (PostgresException exception) when (IsUniqueViolation(exception))
        {
            return Outcome<ExperimentRecord>.Conflict();
        }
    }

    public Task<Outcome<ExperimentRecord>> DeleteAsync(Guid organizationId, Guid experimentId, int expectedVersion, AuditContext audit, CancellationToken cancellationToken) =>
        InTransactionAsync(async (connection, transaction) =>
        {
            var current = await connection.QuerySingleOrDefaultAsync<ExperimentRecord>(
                $"select {Columns} from experiments where organization_id = @organizationId and id = @experimentId for update",
                new { organizationId, experimentId },
                transaction);
            if (current is null)
            {
                return Outcome<ExperimentRecord>.NotFound();
            }

            if (current.Version != expectedVersion)
            {
                return Outcome<ExperimentRecord>.VersionMismatch();
            }

            await connection.ExecuteAsync("delete from experiments where id = @experimentId", new { experimentId }, transaction);
            await AppendAuditAsync(connection, transaction, organizationId, audit, "experiment.deleted", "experiment", experimentId.ToString(), new { name = current.Name });
            return Outcome<ExperimentRecord>.Done(current);
        }, cancellationToken);

    /// <summary>The team of the caller's organization with this name, for experiments that name their team.</summary>
    // The document's fields by name (@teamId, @name, @spec, @scheduleCron...) plus the statement's own.
    private static DynamicParameters WithDocument(ExperimentDocument document, object others)
    {
        var parameters = new DynamicParameters(others);
        parameters.AddDynamicParams(document);
        return parameters;
    }

    public async Task<Guid?> FindTeamIdAsync(Guid organizationId, string teamName, CancellationToken cancellationToken)
    {
        await using var connection = await DataSource.OpenConnectionAsync(cancellationToken);
        return await connection.ExecuteScalarAsync<Guid?>(new CommandDefinition(
            "select id from teams where organization_id = @organizationId and name = @teamName",
            new { organizationId, teamName },
            cancellationToken: cancellationToken));
    }
}
