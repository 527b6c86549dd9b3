using Dapper;
using Faultline.Storage.Common;
using Faultline.Storage.Policies;
using Faultline.Storage.Runs;
using Npgsql;

namespace Faultline.Storage.Experiments;

/// <summary>
/// Fires scheduled experiments. Any node may call <see cref="FireDueAsync"/>: due experiments are locked with
/// <c>FOR UPDATE SKIP LOCKED</c>, so each firing is handled by exactly one node, and the run it creates is written
/// in the same transaction as the next firing time, so a crash can neither lose nor double a firing. Times are
/// the database clock's. Missed firings (every node down) are not replayed: the next one is computed from now.
/// </summary>
public sealed class ScheduleStore(NpgsqlDataSource dataSource) : StoreBase(dataSource)
{
    private sealed record DueExperiment(
        Guid Id, Guid OrganizationId, Guid? TeamId, string? TeamName, string Name, string Spec, string ScheduleCron, string ScheduleConcurrency, DateTime? NextFireAt);

    /// <param name="nextAfter">The schedule's first firing strictly after a moment, from its cron text.</param>
    /// <param name="limit">The most experiments handled in one call.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    public async Task<IReadOnlyList<ScheduleFiring>> FireDueAsync(Func<string, DateTimeOffset, DateTimeOffset?> nextAfter, int limit, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(nextAfter);
        return await InTransactionAsync<IReadOnlyList<ScheduleFiring>>(async (connection, transaction) =>
        {
            var now = new DateTimeOffset(await connection.ExecuteScalarAsync<DateTime>("select now()", transaction: transaction), TimeSpan.Zero);
            var due = (await connection.QueryAsync<DueExperiment>(new CommandDefinition(
                """
                select e.id, e.organization_id as OrganizationId, e.team_id as TeamId, t.name as TeamName, e.name, e.spec::text as Spec,
                       e.schedule_cron as ScheduleCron, coalesce(e.schedule_concurrency, 'forbid') as ScheduleConcurrency, e.next_fire_at as NextFireAt
                from experiments e left join teams t on t.id = e.team_id
                where e.schedule_cron is not null and (e.next_fire_at is null or e.next_fire_at <= now())
                order by e.next_fire_at nulls first
                limit @limit
                for update of e skip locked
                """,
                new { limit },
                transaction,
                cancellationToken: cancellationToken))).AsList();

            var firings = new List<ScheduleFiring>();
            foreach (var experiment in due)
            {
                var next = nextAfter(experiment.ScheduleCron, now);
                if (experiment.NextFireAt is null)
                {
                    // First sight of this schedule: only compute when it fires.
                    await SetNextAsync(connection, transaction, experiment.Id, next, skipped: false);
                    continue;
                }

                var firing = await FireAsync(connection, transaction, experiment, cancellationToken);
                await SetNextAsync(connection, transaction, experiment.Id, next, skipped: firing.RunId is null);
                firings.Add(firing with { NextFireAt = next?.UtcDateTime });
            }

            return firings;
        }, cancellationToken);
    }

    private static async Task<ScheduleFiring> FireAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, DueExperiment experiment, CancellationToken cancellationToken)
    {
        var dueAt = experiment.NextFireAt!.Value;
        var halt = await HaltStore.FindCoveringAsync(connection, transaction, experiment.OrganizationId, experiment.TeamId, cancellationToken);
        if (halt is not null)
        {
            return new ScheduleFiring(experiment.Id, experiment.Name, dueAt, null, $"halted by {halt.Describe()}", null);
        }

        var open = (await connection.QueryAsync<Guid>(
            "select id from runs where experiment_id = @id and state <> 'completed'", new { id = experiment.Id }, transaction)).AsList();
        if (open.Count > 0)
        {
            switch (experiment.ScheduleConcurrency)
            {
                case "forbid":
                    return new ScheduleFiring(experiment.Id, experiment.Name, dueAt, null, $"run {open[0]} is still in progress (concurrency: forbid)", null);
                case "replace":
                    await connection.ExecuteAsync(
                        """
                        update runs set abort_requested_at = coalesce(abort_requested_at, now()), abort_request_cause = coalesce(abort_request_cause, 'user'),
                                        abort_reason = coalesce(abort_reason, 'replaced by the next scheduled run (concurrency: replace)')
                        where id = any(@open)
                        """,
                        new { open = open.ToArray() },
                        transaction);
                    foreach (var runId in open)
                    {
                        await Cluster.ClusterNotifications.NotifyAsync(connection, transaction, RunChannels.Work, RunChannels.Abort(runId), cancellationToken);
                    }

                    break;
            }
        }

        var run = await RunStore.InsertAsync(
            connection,
            transaction,
            new NewRun(experiment.OrganizationId, experiment.TeamId, experiment.TeamName, experiment.Id, experiment.Name, experiment.Spec, "schedule", "scheduler", null, false),
            AuditContext.System("scheduler"),
            cancellationToken);
        return new ScheduleFiring(experiment.Id, experiment.Name, dueAt, run.Id, null, null);
    }

    private static Task<int> SetNextAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, Guid id, DateTimeOffset? next, bool skipped) =>
        connection.ExecuteAsync(
            """
            update experiments set next_fire_at = @next, skipped_firings = skipped_firings + case when @skipped then 1 else 0 end,
                                   schedule_cron = case when @next::timestamptz is null then null else schedule_cron end
            where id = @id
            """,
            new { id, next = next?.UtcDateTime, skipped },
            transaction);
}
