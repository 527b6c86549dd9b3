using System.Text.Json;
using Dapper;
using Faultline.Storage.Cluster;
using Npgsql;

namespace Faultline.Storage.Runs;

/// <summary>
/// Every write the owner of a run makes: state moves, timeline events, fault rows. Each runs in a short
/// transaction that first checks the run's lease (<see cref="LeaseStore.IsCurrentAsync"/>, which share-locks the
/// lease row until commit), so a node that lost the lease, after a pause or a partition, writes nothing and gets
/// a <see cref="LeaseLostException"/> instead. Intent rows are also serialized per target with a transaction-level
/// advisory lock, so two runs on different nodes cannot both pass the conflict check for one target.
/// </summary>
public sealed class RunJournal(NpgsqlDataSource dataSource, LeaseFence fence, Guid runId)
{
    internal static readonly JsonSerializerOptions EventJson = new(JsonSerializerDefaults.Web);

    /// <summary>Database round-trips made so far (for the benchmark's per-step figure).</summary>
    public int RoundTrips => _roundTrips;

    private int _roundTrips;

    public Guid RunId => runId;

    public LeaseFence Fence => fence;

    public Task AppendAsync(string type, string message, object data, CancellationToken cancellationToken) =>
        FencedAsync((connection, transaction) => RunStore.InsertEventAsync(connection, transaction, runId, type, message, data), cancellationToken);

    /// <summary>Moves the run to <paramref name="to"/> (a <c>RunLifecycle</c> name) with its timeline event.</summary>
    public Task MoveAsync(string from, string to, string message, CancellationToken cancellationToken) =>
        FencedAsync(async (connection, transaction) =>
        {
            var moved = await connection.ExecuteAsync(
                "update runs set state = @to where id = @runId and state = @from", new { runId, from, to }, transaction);
            if (moved != 1)
            {
                throw new InvalidOperationException($"Run {runId} was not in state {from}.");
            }

            await RunStore.InsertEventAsync(connection, transaction, runId, "state", message, new { from, to });
        }, cancellationToken);

    /// <summary>Closes the run with its verdict and the evidence it rests on.</summary>
    public Task CompleteAsync(string verdict, string reason, string? abortCause, object evidence, CancellationToken cancellationToken) =>
        FencedAsync(async (connection, transaction) =>
        {
            var from = await connection.ExecuteScalarAsync<string>("select state from runs where id = @runId", new { runId }, transaction);
            await connection.ExecuteAsync(
                """
                update runs set state = 'completed', verdict = @verdict, verdict_reason = @reason, abort_cause = @abortCause,
                                evidence = @evidence::jsonb, finished_at = now()
                where id = @runId
                """,
                new { runId, verdict, reason, abortCause, evidence = JsonSerializer.Serialize(evidence, EventJson) },
                transaction);
            await RunStore.InsertEventAsync(connection, transaction, runId, "state", $"Run completed: {verdict}.", new { from, to = "completed" });
            await RunStore.InsertEventAsync(connection, transaction, runId, "verdict", reason, new { verdict, abortCause, evidence });
        }, cancellationToken);

    /// <summary>
    /// Writes the intent row before the injector is called, unless an open fault of another run on the same
    /// target holds an overlapping claim, or one of the two injectors declares it conflicts with the other: then
    /// returns that fault, and nothing is written.
    /// </summary>
    public Task<FaultRecord?> IntendAsync(FaultIntent intent, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(intent);
        return FencedAsync(async (connection, transaction) =>
        {
            // The per-target lock: serializes intent decisions for one target across every node.
            await connection.ExecuteAsync(
                "select pg_advisory_xact_lock(hashtextextended(@key, 0))", new { key = $"target:{intent.TargetKind}/{intent.TargetId}" }, transaction);
            var conflict = await connection.QueryFirstOrDefaultAsync<FaultRecord>(
                $"""
                select {FaultRecord.Columns} from faults
                where target_kind = @TargetKind and target_id = @TargetId and state <> 'removed' and run_id <> @runId
                  and (claims && @claims or injector = any(@conflictsWith) or @Injector = any(conflicts_with))
                order by created_at limit 1
                """,
                new { intent.TargetKind, intent.TargetId, intent.Injector, runId, claims = intent.Claims.ToArray(), conflictsWith = (intent.ConflictsWith ?? []).ToArray() },
                transaction);
            if (conflict is not null)
            {
                return conflict;
            }

            await connection.ExecuteAsync(
                """
                insert into faults (id, run_id, organization_id, step_path, injector, target_kind, target_id, target, parameters, claims, conflicts_with, state, expires_at)
                select @Id, @runId, organization_id, @StepPath, @Injector, @TargetKind, @TargetId, @Target::jsonb, @Parameters::jsonb, @claims, @conflictsWith,
                       'intended', now() + @Ttl
                from runs where id = @runId
                """,
                new
                {
                    intent.Id,
                    runId,
                    intent.StepPath,
                    intent.Injector,
                    intent.TargetKind,
                    intent.TargetId,
                    intent.Target,
                    intent.Parameters,
                    claims = intent.Claims.ToArray(),
                    conflictsWith = (intent.ConflictsWith ?? []).ToArray(),
                    intent.Ttl,
                },
                transaction);
            return null;
        }, cancellationToken);
    }

    public Task MarkActiveAsync(string faultId, string handle, DateTimeOffset injectedAt, CancellationToken cancellationToken) =>
        UpdateFaultAsync(
            "update faults set state = 'active', handle = @handle::jsonb, injected_at = @injectedAt where id = @faultId and run_id = @runId",
            new { faultId, runId, handle, injectedAt }, cancellationToken);

    public Task MarkVerifiedAsync(string faultId, string evidence, CancellationToken cancellationToken) =>
        UpdateFaultAsync(
            "update faults set verified_evidence = @evidence where id = @faultId and run_id = @runId",
            new { faultId, runId, evidence }, cancellationToken);

    public Task MarkRemovingAsync(string faultId, CancellationToken cancellationToken) =>
        UpdateFaultAsync(
            "update faults set state = 'removing' where id = @faultId and run_id = @runId and state <> 'removed'",
            new { faultId, runId }, cancellationToken);

    public Task MarkRemovedAsync(string faultId, string evidence, CancellationToken cancellationToken) =>
        UpdateFaultAsync(
            "update faults set state = 'removed', removed_at = now(), removal_evidence = @evidence where id = @faultId and run_id = @runId",
            new { faultId, runId, evidence }, cancellationToken);

    /// <summary>A fault whose removal could not be proven: it stays open for reconciliation and an operator.</summary>
    public Task MarkFailedAsync(string faultId, string error, CancellationToken cancellationToken) =>
        UpdateFaultAsync(
            "update faults set state = 'failed', error = @error where id = @faultId and run_id = @runId",
            new { faultId, runId, error }, cancellationToken);

    /// <summary>Faults of this run not proven removed: what a new owner must roll back.</summary>
    public async Task<IReadOnlyList<FaultRecord>> OpenFaultsAsync(CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        Interlocked.Increment(ref _roundTrips);
        var rows = await connection.QueryAsync<FaultRecord>(new CommandDefinition(
            $"select {FaultRecord.Columns} from faults where run_id = @runId and state <> 'removed' order by created_at, id",
            new { runId },
            cancellationToken: cancellationToken));
        return rows.AsList();
    }

    /// <summary>Whether an abort was requested, and why (polled by the owner as a backstop for lost notifications).</summary>
    public async Task<(string Cause, string Reason)?> AbortRequestAsync(CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        Interlocked.Increment(ref _roundTrips);
        var row = await connection.QuerySingleOrDefaultAsync<(string?, string?)>(new CommandDefinition(
            "select abort_request_cause, abort_reason from runs where id = @runId and abort_requested_at is not null",
            new { runId },
            cancellationToken: cancellationToken));
        return row.Item1 is null ? null : (row.Item1, row.Item2 ?? "abort requested");
    }

    private Task UpdateFaultAsync(string sql, object parameters, CancellationToken cancellationToken) =>
        FencedAsync(async (connection, transaction) =>
        {
            if (await connection.ExecuteAsync(sql, parameters, transaction) != 1)
            {
                throw new InvalidOperationException($"No fault row of run {runId} matched: {sql}");
            }
        }, cancellationToken);

    private async Task FencedAsync(Func<NpgsqlConnection, NpgsqlTransaction, Task> write, CancellationToken cancellationToken) =>
        await FencedAsync<object?>(async (connection, transaction) =>
        {
            await write(connection, transaction);
            return null;
        }, cancellationToken);

    private async Task<T> FencedAsync<T>(Func<NpgsqlConnection, NpgsqlTransaction, Task<T>> write, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        Interlocked.Add(ref _roundTrips, 3);
        if (!await LeaseStore.IsCurrentAsync(connection, transaction, fence, cancellationToken))
        {
            throw new LeaseLostException($"The lease on run {runId} (token {fence.Token}) is no longer held by node {fence.OwnerNode}; nothing was written.");
        }

        var result = await write(connection, transaction);
        await transaction.CommitAsync(cancellationToken);
        return result;
    }
}
