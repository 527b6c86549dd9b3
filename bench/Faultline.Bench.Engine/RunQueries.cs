using System.Diagnostics;
using Npgsql;

namespace Faultline.Bench.Engine;

/// <summary>
/// The benchmark's reads, straight from the tables the engine writes (runs, faults, run_events, leases). SQL
/// rather than the REST API: every timestamp then comes from PostgreSQL's clock, the one the engine stamps
/// its own rows with, and polling costs the node under test no HTTP work.
/// </summary>
internal sealed class RunQueries(NpgsqlDataSource dataSource)
{
    /// <summary>The database's clock now; take it immediately before the action it dates.</summary>
    public async Task<DatabaseStamp> StampAsync(CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var command = new NpgsqlCommand("select clock_timestamp()", connection);
        var sent = Stopwatch.GetTimestamp();
        var at = (DateTime)(await command.ExecuteScalarAsync(cancellationToken))!;
        return new DatabaseStamp(at, Stopwatch.GetElapsedTime(sent));
    }

    /// <summary>Who holds the run's lease and until when (null without a lease row).</summary>
    public async Task<(Guid? Owner, DateTime ExpiresAt)?> LeaseAsync(Guid runId, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var command = new NpgsqlCommand("select owner_node, expires_at from leases where kind = 'run' and key = @key", connection);
        command.Parameters.AddWithValue("key", runId.ToString());
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken)
            ? (reader.IsDBNull(0) ? null : reader.GetGuid(0), reader.GetDateTime(1))
            : null;
    }

    /// <summary>The run's state and owner, or null while it does not exist.</summary>
    public async Task<(string State, Guid? Owner)?> StateAsync(Guid runId, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var command = new NpgsqlCommand("select state, owner_node from runs where id = @runId", connection);
        command.Parameters.AddWithValue("runId", runId);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken)
            ? (reader.GetString(0), reader.IsDBNull(1) ? null : reader.GetGuid(1))
            : null;
    }

    public async Task<RunOutcome> OutcomeAsync(Guid runId, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var command = new NpgsqlCommand(
            """
            select r.state, r.verdict, r.abort_cause, r.owner_node, r.activations, r.created_at, r.finished_at,
                   count(f.id)::int, count(f.removed_at)::int, max(f.removed_at)
            from runs r left join faults f on f.run_id = r.id
            where r.id = @runId
            group by r.id
            """,
            connection);
        command.Parameters.AddWithValue("runId", runId);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        if (!await reader.ReadAsync(cancellationToken))
        {
            throw new InvalidOperationException($"Run {runId} does not exist.");
        }

        return new RunOutcome(
            runId,
            reader.GetString(0),
            reader.IsDBNull(1) ? null : reader.GetString(1),
            reader.IsDBNull(2) ? null : reader.GetString(2),
            reader.IsDBNull(3) ? null : reader.GetGuid(3),
            reader.GetInt32(4),
            reader.GetDateTime(5),
            reader.IsDBNull(6) ? null : reader.GetDateTime(6),
            reader.GetInt32(7),
            reader.GetInt32(8),
            reader.IsDBNull(9) ? null : reader.GetDateTime(9));
    }

    /// <summary>When the run's first event of <paramref name="type"/> was written, optionally only events whose data says held = false.</summary>
    public async Task<DateTime?> FirstEventAsync(Guid runId, string type, bool onlyBreaches, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var command = new NpgsqlCommand(
            """
            select min(at) from run_events
            where run_id = @runId and type = @type and (not @onlyBreaches or data ->> 'held' = 'false')
            """,
            connection);
        command.Parameters.AddWithValue("runId", runId);
        command.Parameters.AddWithValue("type", type);
        command.Parameters.AddWithValue("onlyBreaches", onlyBreaches);
        var at = await command.ExecuteScalarAsync(cancellationToken);
        return at is DateTime value ? value : null;
    }

    public async Task<int> CountCompletedAsync(IReadOnlyCollection<Guid> runIds, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var command = new NpgsqlCommand("select count(*)::int from runs where id = any(@runIds) and state = 'completed'", connection);
        command.Parameters.AddWithValue("runIds", runIds.ToArray());
        return (int)(await command.ExecuteScalarAsync(cancellationToken))!;
    }

    /// <summary>
    /// Per run: its span, its observing span (from the move into observing to the move out of it), the events
    /// the engine wrote (all but run.created, which the API writes) and its state transitions.
    /// </summary>
    public async Task<IReadOnlyList<RunTimeline>> TimelinesAsync(IReadOnlyCollection<Guid> runIds, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var command = new NpgsqlCommand(
            """
            select r.id, r.verdict, r.created_at, r.finished_at,
                   min(e.at) filter (where e.type = 'state' and e.data ->> 'to' = 'observing'),
                   min(e.at) filter (where e.type = 'state' and e.data ->> 'from' = 'observing'),
                   count(e.id) filter (where e.type <> 'run.created')::int,
                   count(e.id) filter (where e.type = 'state')::int
            from runs r left join run_events e on e.run_id = r.id
            where r.id = any(@runIds)
            group by r.id
            """,
            connection);
        command.Parameters.AddWithValue("runIds", runIds.ToArray());
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var timelines = new List<RunTimeline>(runIds.Count);
        while (await reader.ReadAsync(cancellationToken))
        {
            timelines.Add(new RunTimeline(
                reader.GetGuid(0),
                reader.IsDBNull(1) ? null : reader.GetString(1),
                reader.GetDateTime(2),
                reader.IsDBNull(3) ? null : reader.GetDateTime(3),
                reader.IsDBNull(4) ? null : reader.GetDateTime(4),
                reader.IsDBNull(5) ? null : reader.GetDateTime(5),
                reader.GetInt32(6),
                reader.GetInt32(7)));
        }

        return timelines;
    }
}
