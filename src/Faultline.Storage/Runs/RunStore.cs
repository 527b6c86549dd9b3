using Dapper;
using Faultline.Storage.Cluster;
using Faultline.Storage.Common;
using Faultline.Storage.Policies;
using Npgsql;

namespace Faultline.Storage.Runs;

/// <summary>Why a run could not be created.</summary>
public sealed record RunRefusal(HaltRecord? Halt, string? Overlap);

/// <summary>
/// Runs as the API and the dispatchers see them: creation (refused under a halt), reads, the timeline,
/// abort and approval requests, and claiming by nodes. The writes a run's owner makes go through
/// <see cref="RunJournal"/>, fenced by the run's lease.
/// </summary>
public sealed class RunStore(NpgsqlDataSource dataSource) : StoreBase(dataSource)
{
    public const string LeaseKind = "run";

    /// <summary>
    /// Creates a pending run and its first timeline event, audited, and wakes the dispatchers; refused while a
    /// halt covers the team. With <paramref name="forbidOverlap"/>, also refused while another run of the same
    /// experiment is unfinished (the schedule's default concurrency policy); the experiment row is locked so two
    /// firings cannot both pass the check.
    /// </summary>
    public async Task<(RunRecord? Run, RunRefusal? Refusal)> CreateAsync(NewRun run, bool forbidOverlap, AuditContext audit, CancellationToken cancellationToken) =>
        await InTransactionAsync<(RunRecord?, RunRefusal?)>(async (connection, transaction) =>
        {
            var halt = await HaltStore.FindCoveringAsync(connection, transaction, run.OrganizationId, run.TeamId, cancellationToken);
            if (halt is not null)
            {
                return (null, new RunRefusal(halt, null));
            }

            if (forbidOverlap && run.ExperimentId is { } experimentId)
            {
                await connection.ExecuteAsync("select 1 from experiments where id = @experimentId for update", new { experimentId }, transaction);
                var open = await connection.QueryFirstOrDefaultAsync<Guid?>(
                    "select id from runs where experiment_id = @experimentId and state <> 'completed' limit 1", new { experimentId }, transaction);
                if (open is { } openRun)
                {
                    return (null, new RunRefusal(null, $"run {openRun} of this experiment is still in progress"));
                }
            }

            var created = await InsertAsync(connection, transaction, run, audit, cancellationToken);
            return (created, null);
        }, cancellationToken);

    internal static async Task<RunRecord> InsertAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, NewRun run, AuditContext audit, CancellationToken cancellationToken)
    {
        var created = await connection.QuerySingleAsync<RunRecord>(
            $"""
            insert into runs (id, organization_id, team_id, team_name, experiment_id, experiment_name, spec, trigger, requested_by,
                              requested_key_id, approval_required)
            values (@id, @OrganizationId, @TeamId, @TeamName, @ExperimentId, @ExperimentName, @Spec::jsonb, @Trigger, @RequestedBy,
                    @RequestedKeyId, @ApprovalRequired)
            returning {RunRecord.Columns}
            """,
            new
            {
                id = Guid.CreateVersion7(),
                run.OrganizationId,
                run.TeamId,
                run.TeamName,
                run.ExperimentId,
                run.ExperimentName,
                run.Spec,
                run.Trigger,
                run.RequestedBy,
                run.RequestedKeyId,
                run.ApprovalRequired,
            },
            transaction);
        var message = run.ApprovalRequired
            ? $"Run requested by {run.RequestedBy} ({run.Trigger}); waiting for an approver."
            : $"Run requested by {run.RequestedBy} ({run.Trigger}).";
        await InsertEventAsync(connection, transaction, created.Id, "run.created", message, new { trigger = run.Trigger, requestedBy = run.RequestedBy, approvalRequired = run.ApprovalRequired });
        await AppendAuditAsync(connection, transaction, run.OrganizationId, audit, "run.created", "run", created.Id.ToString(),
            new { experiment = run.ExperimentName, run.ExperimentId, run.Trigger });
        await ClusterNotifications.NotifyAsync(connection, transaction, RunChannels.Work, RunChannels.NewRun(created.Id), cancellationToken);
        return created;
    }

    public async Task<RunRecord?> GetAsync(Guid organizationId, Guid runId, CancellationToken cancellationToken)
    {
        await using var connection = await DataSource.OpenConnectionAsync(cancellationToken);
        return await connection.QuerySingleOrDefaultAsync<RunRecord>(new CommandDefinition(
            $"select {RunRecord.Columns} from runs where organization_id = @organizationId and id = @runId",
            new { organizationId, runId },
            cancellationToken: cancellationToken));
    }

    /// <summary>A run by id alone, for the engine (which acts for every organization).</summary>
    public async Task<RunRecord?> GetAsync(Guid runId, CancellationToken cancellationToken)
    {
        await using var connection = await DataSource.OpenConnectionAsync(cancellationToken);
        return await connection.QuerySingleOrDefaultAsync<RunRecord>(new CommandDefinition(
            $"select {RunRecord.Columns} from runs where id = @runId", new { runId }, cancellationToken: cancellationToken));
    }

    public async Task<Page<RunRecord>> ListAsync(
        Guid organizationId, Guid? onlyTeamId, Guid? experimentId, string? state, Guid? after, int limit, CancellationToken cancellationToken)
    {
        await using var connection = await DataSource.OpenConnectionAsync(cancellationToken);
        var rows = await connection.QueryAsync<RunRecord>(new CommandDefinition(
            $"""
            select {RunRecord.Columns} from runs
            where organization_id = @organizationId
              and (@onlyTeamId::uuid is null or team_id = @onlyTeamId)
              and (@experimentId::uuid is null or experiment_id = @experimentId)
              and (@state::text is null or state = @state)
              and (@after::uuid is null or id < @after)
            order by id desc limit @take
            """,
            new { organizationId, onlyTeamId, experimentId, state, after, take = limit + 1 },
            cancellationToken: cancellationToken));
        return ToPage(rows, limit);
    }

    public async Task<IReadOnlyList<RunEventRecord>> ReadEventsAsync(Guid runId, long afterId, int limit, CancellationToken cancellationToken)
    {
        await using var connection = await DataSource.OpenConnectionAsync(cancellationToken);
        var rows = await connection.QueryAsync<RunEventRecord>(new CommandDefinition(
            """
            select id, run_id as RunId, at, type, message, data::text as Data from run_events
            where run_id = @runId and id > @afterId order by id limit @limit
            """,
            new { runId, afterId, limit },
            cancellationToken: cancellationToken));
        return rows.AsList();
    }

    public async Task<IReadOnlyList<FaultRecord>> ListFaultsAsync(Guid runId, CancellationToken cancellationToken)
    {
        await using var connection = await DataSource.OpenConnectionAsync(cancellationToken);
        var rows = await connection.QueryAsync<FaultRecord>(new CommandDefinition(
            $"select {FaultRecord.Columns} from faults where run_id = @runId order by created_at, id",
            new { runId },
            cancellationToken: cancellationToken));
        return rows.AsList();
    }

    /// <summary>
    /// Records the request and wakes the owner, which rolls back and closes the run. An unclaimed run (still
    /// pending, or waiting for approval) becomes claimable by it, and the node that claims it closes it as aborted
    /// before doing anything else: only the holder of a run's lease ever writes its outcome.
    /// </summary>
    public async Task<Outcome<RunRecord>> RequestAbortAsync(
        Guid organizationId, Guid runId, string cause, string reason, AuditContext audit, CancellationToken cancellationToken) =>
        await InTransactionAsync(async (connection, transaction) =>
        {
            var run = await connection.QuerySingleOrDefaultAsync<RunRecord>(
                $"select {RunRecord.Columns} from runs where organization_id = @organizationId and id = @runId for update",
                new { organizationId, runId },
                transaction);
            if (run is null)
            {
                return Outcome<RunRecord>.NotFound();
            }

            if (run.IsFinished)
            {
                return Outcome<RunRecord>.Conflict();
            }

            await connection.ExecuteAsync(
                """
                update runs set abort_requested_at = coalesce(abort_requested_at, now()),
                                abort_request_cause = coalesce(abort_request_cause, @cause), abort_reason = coalesce(abort_reason, @reason)
                where id = @runId
                """,
                new { runId, cause, reason },
                transaction);
            await AppendAuditAsync(connection, transaction, organizationId, audit, "run.abort-requested", "run", runId.ToString(), new { reason });
            await ClusterNotifications.NotifyAsync(connection, transaction, RunChannels.Work, RunChannels.Abort(runId), cancellationToken);
            var updated = await connection.QuerySingleAsync<RunRecord>($"select {RunRecord.Columns} from runs where id = @runId", new { runId }, transaction);
            return Outcome<RunRecord>.Done(updated);
        }, cancellationToken);

    /// <summary>Approves a run waiting for approval; the approver must not be the requester (checked by the caller too).</summary>
    public async Task<Outcome<RunRecord>> ApproveAsync(Guid organizationId, Guid runId, string approver, AuditContext audit, CancellationToken cancellationToken) =>
        await InTransactionAsync(async (connection, transaction) =>
        {
            var updated = await connection.QuerySingleOrDefaultAsync<RunRecord>(
                $"""
                update runs set approved_by = @approver, approved_at = now()
                where organization_id = @organizationId and id = @runId and approval_required and approved_at is null and state = 'pending'
                  and abort_requested_at is null
                returning {RunRecord.Columns}
                """,
                new { organizationId, runId, approver },
                transaction);
            if (updated is null)
            {
                var exists = await connection.ExecuteScalarAsync<bool>(
                    "select exists (select 1 from runs where organization_id = @organizationId and id = @runId)", new { organizationId, runId }, transaction);
                return exists ? Outcome<RunRecord>.Conflict() : Outcome<RunRecord>.NotFound();
            }

            await InsertEventAsync(connection, transaction, runId, "run.approved", $"Approved by {approver}.", new { approvedBy = approver });
            await AppendAuditAsync(connection, transaction, organizationId, audit, "run.approved", "run", runId.ToString(), new { approvedBy = approver });
            await ClusterNotifications.NotifyAsync(connection, transaction, RunChannels.Work, RunChannels.NewRun(runId), cancellationToken);
            return Outcome<RunRecord>.Done(updated);
        }, cancellationToken);

    /// <summary>
    /// Claims up to <paramref name="limit"/> unfinished runs that no live lease holds: new runs ready to start,
    /// and runs whose owner stopped renewing (taken over). <c>FOR UPDATE SKIP LOCKED</c> keeps two claiming
    /// nodes on disjoint runs; the lease upsert, with its token bump, is the real arbiter. A run whose lease row is
    /// locked (a fenced write of the lapsed holder in flight) is skipped, never waited for.
    /// </summary>
    public async Task<IReadOnlyList<ClaimedRun>> ClaimAsync(Guid nodeId, int limit, TimeSpan ttl, CancellationToken cancellationToken)
    {
        if (limit <= 0)
        {
            return [];
        }

        return await InTransactionAsync<IReadOnlyList<ClaimedRun>>(async (connection, transaction) =>
        {
            var candidates = (await connection.QueryAsync<Guid>(new CommandDefinition(
                """
                select r.id from runs r
                left join leases l on l.kind = 'run' and l.key = r.id::text
                where r.state <> 'completed'
                  and (not r.approval_required or r.approved_at is not null or r.abort_requested_at is not null)
                  and (l.key is null or l.owner_node is null or l.expires_at <= now())
                order by r.created_at
                limit @limit
                for update of r skip locked
                """,
                new { limit },
                transaction,
                cancellationToken: cancellationToken))).AsList();

            var claimed = new List<ClaimedRun>();
            foreach (var runId in candidates)
            {
                var key = runId.ToString();

                // The lapsed holder may be in the middle of a fenced write: it share-locks the lease row and may next
                // need this run's row, locked above, so waiting for the lease here would deadlock. Leave the run to a
                // later round instead; once the write ends, the lease is free to take.
                var busy = await connection.ExecuteScalarAsync<bool>(new CommandDefinition(
                    """
                    select exists (select 1 from leases where kind = 'run' and key = @key)
                       and not exists (select 1 from leases where kind = 'run' and key = @key for update skip locked)
                    """,
                    new { key },
                    transaction,
                    cancellationToken: cancellationToken));
                if (busy)
                {
                    continue;
                }

                var lease = await connection.QuerySingleOrDefaultAsync<LeaseGrant>(new CommandDefinition(
                    """
                    insert into leases as l (kind, key, owner_node, token, acquired_at, expires_at)
                    values ('run', @key, @nodeId, 1, now(), now() + @ttl)
                    on conflict (kind, key) do update
                        set owner_node = excluded.owner_node, token = l.token + 1, acquired_at = excluded.acquired_at,
                            expires_at = excluded.expires_at, released_at = null
                        where l.owner_node is null or l.expires_at <= now()
                    returning kind, key, owner_node as OwnerNode, token, acquired_at as AcquiredAt, expires_at as ExpiresAt
                    """,
                    new { key, nodeId, ttl },
                    transaction,
                    cancellationToken: cancellationToken));
                if (lease is null)
                {
                    continue;
                }

                var previousOwner = await connection.ExecuteScalarAsync<Guid?>(
                    "select owner_node from runs where id = @runId", new { runId }, transaction);
                var run = await connection.QuerySingleAsync<RunRecord>(
                    $"""
                    update runs set owner_node = @nodeId, activations = activations + 1, started_at = coalesce(started_at, now())
                    where id = @runId returning {RunRecord.Columns}
                    """,
                    new { runId, nodeId },
                    transaction);
                claimed.Add(new ClaimedRun(run, lease, previousOwner));
            }

            return claimed;
        }, cancellationToken);
    }

    /// <summary>Unfinished runs with an abort requested or under an active halt, among <paramref name="runIds"/>.</summary>
    public async Task<IReadOnlyList<(Guid RunId, string Cause, string Reason)>> FindStopsAsync(IReadOnlyCollection<Guid> runIds, CancellationToken cancellationToken)
    {
        if (runIds.Count == 0)
        {
            return [];
        }

        await using var connection = await DataSource.OpenConnectionAsync(cancellationToken);
        var rows = await connection.QueryAsync<(Guid, string, string)>(new CommandDefinition(
            """
            select r.id, coalesce(r.abort_request_cause, 'halt'),
                   coalesce(r.abort_reason, 'halted: ' || h.scope || ' halt by ' || h.created_by || ' (' || h.reason || ')')
            from runs r
            left join lateral (
                select scope, created_by, reason from halt_switches h
                where h.released_at is null and (h.scope = 'global' or (h.scope = 'organization' and h.organization_id = r.organization_id)
                    or (h.scope = 'team' and h.team_id = r.team_id))
                order by h.created_at limit 1) h on true
            where r.id = any(@runIds) and r.state <> 'completed' and (r.abort_requested_at is not null or h.scope is not null)
            """,
            new { runIds = runIds.ToArray() },
            cancellationToken: cancellationToken));
        return rows.AsList();
    }

    /// <summary>Faults that may be in effect anywhere, with their run's team: the cluster load a policy checks against.</summary>
    public async Task<IReadOnlyList<(Guid RunId, string? Team, string Target)>> OpenFaultTargetsAsync(CancellationToken cancellationToken)
    {
        await using var connection = await DataSource.OpenConnectionAsync(cancellationToken);
        var rows = await connection.QueryAsync<(Guid, string?, string)>(new CommandDefinition(
            "select f.run_id, r.team_name, f.target::text from faults f join runs r on r.id = f.run_id where f.state <> 'removed'",
            cancellationToken: cancellationToken));
        return rows.AsList();
    }

    /// <summary>Unfinished runs per team name, counted for the policy's concurrency limit.</summary>
    public async Task<IReadOnlyList<(Guid RunId, string? Team)>> OpenRunsAsync(CancellationToken cancellationToken)
    {
        await using var connection = await DataSource.OpenConnectionAsync(cancellationToken);
        var rows = await connection.QueryAsync<(Guid, string?)>(new CommandDefinition(
            "select id, team_name from runs where state <> 'completed'", cancellationToken: cancellationToken));
        return rows.AsList();
    }

    internal static Task InsertEventAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, Guid runId, string type, string message, object data) =>
        connection.ExecuteAsync(
            """
            insert into run_events (run_id, type, message, data) values (@runId, @type, @message, @data::jsonb);
            select pg_notify('faultline_run_events', @runId::text);
            """,
            new { runId, type, message, data = System.Text.Json.JsonSerializer.Serialize(data, RunJournal.EventJson) },
            transaction);
}
