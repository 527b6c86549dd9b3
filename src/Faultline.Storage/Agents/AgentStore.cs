using Dapper;
using Faultline.Storage.Common;
using Npgsql;

namespace Faultline.Storage.Agents;

/// <summary>
/// Agents as they last introduced themselves, their sessions and heartbeats, and the questions the protocol asks
/// about faults: which held faults still belong to a live run, and which faults an agent removed on its own.
/// Every query is filtered by organization, so an agent never learns anything of another organization.
/// </summary>
public sealed class AgentStore(NpgsqlDataSource dataSource) : StoreBase(dataSource)
{
    private const string Columns =
        "id, organization_id as OrganizationId, team_id as TeamId, token_id as TokenId, name, hostname, version, injectors::text as Injectors, " +
        "targets::text as Targets, session_id as SessionId, connected_node as ConnectedNode, last_poll_at as LastPollAt, created_at as CreatedAt";

    /// <summary>
    /// Creates or rewrites the agent named in the hello, with a new session id (older sessions stop working) and
    /// its audit entry. Conflict when the name belongs to an agent of another team: a team's token must not take
    /// over another team's agent.
    /// </summary>
    public Task<Outcome<AgentRecord>> UpsertAsync(AgentRegistration agent, AuditContext audit, CancellationToken cancellationToken) =>
        InTransactionAsync(async (connection, transaction) =>
        {
            var record = await connection.QuerySingleOrDefaultAsync<AgentRecord>(
                $"""
                insert into agents (id, organization_id, team_id, token_id, name, hostname, version, injectors, targets, session_id, connected_node, last_poll_at)
                values (@id, @OrganizationId, @TeamId, @TokenId, @Name, @Hostname, @Version, @InjectorsJson::jsonb, @TargetsJson::jsonb, @sessionId, @Node, now())
                on conflict (organization_id, name) do update
                    set token_id = excluded.token_id, hostname = excluded.hostname, version = excluded.version, injectors = excluded.injectors,
                        targets = excluded.targets, session_id = excluded.session_id, connected_node = excluded.connected_node, last_poll_at = now()
                    where agents.team_id is not distinct from excluded.team_id
                returning {Columns}
                """,
                new { id = Guid.CreateVersion7(), sessionId = Guid.NewGuid(), agent.OrganizationId, agent.TeamId, agent.TokenId, agent.Name, agent.Hostname, agent.Version, agent.InjectorsJson, agent.TargetsJson, agent.Node },
                transaction);
            if (record is null)
            {
                return Outcome<AgentRecord>.Conflict();
            }

            await AppendAuditAsync(connection, transaction, agent.OrganizationId, audit, "agent.connected", "agent", record.Id.ToString(),
                new { name = agent.Name, hostname = agent.Hostname, version = agent.Version, sessionId = record.SessionId, node = agent.Node });
            return Outcome<AgentRecord>.Done(record);
        }, cancellationToken);

    /// <summary>The agent whose current session this is, for this token; null for an unknown or replaced session.</summary>
    public async Task<AgentRecord?> FindBySessionAsync(Guid organizationId, Guid tokenId, Guid sessionId, CancellationToken cancellationToken)
    {
        await using var connection = await DataSource.OpenConnectionAsync(cancellationToken);
        return await connection.QuerySingleOrDefaultAsync<AgentRecord>(new CommandDefinition(
            $"select {Columns} from agents where organization_id = @organizationId and token_id = @tokenId and session_id = @sessionId",
            new { organizationId, tokenId, sessionId },
            cancellationToken: cancellationToken));
    }

    /// <summary>The heartbeat: a poll arrived at <paramref name="node"/>.</summary>
    public async Task TouchAsync(Guid agentId, string? node, CancellationToken cancellationToken)
    {
        await using var connection = await DataSource.OpenConnectionAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition(
            "update agents set last_poll_at = now(), connected_node = @node where id = @agentId", new { agentId, node }, cancellationToken: cancellationToken));
    }

    public async Task<AgentRecord?> GetAsync(Guid organizationId, Guid agentId, CancellationToken cancellationToken)
    {
        await using var connection = await DataSource.OpenConnectionAsync(cancellationToken);
        return await connection.QuerySingleOrDefaultAsync<AgentRecord>(new CommandDefinition(
            $"select {Columns} from agents where organization_id = @organizationId and id = @agentId",
            new { organizationId, agentId },
            cancellationToken: cancellationToken));
    }

    /// <summary>
    /// Agents of one organization; <paramref name="onlyTeamId"/> narrows a team-bound caller to its team's agents and
    /// the organization-wide ones (those registered with an organization-wide token).
    /// </summary>
    public async Task<Page<AgentRecord>> ListAsync(Guid organizationId, Guid? onlyTeamId, Guid? after, int limit, CancellationToken cancellationToken)
    {
        await using var connection = await DataSource.OpenConnectionAsync(cancellationToken);
        var rows = await connection.QueryAsync<AgentRecord>(new CommandDefinition(
            $"""
            select {Columns} from agents
            where organization_id = @organizationId
              and (@onlyTeamId::uuid is null or team_id = @onlyTeamId or team_id is null)
              and (@after::uuid is null or id > @after)
            order by id limit @take
            """,
            new { organizationId, onlyTeamId, after, take = limit + 1 },
            cancellationToken: cancellationToken));
        return ToPage(rows, limit);
    }

    /// <summary>Agents of the organization that polled within <paramref name="grace"/> (database clock), most recent first.</summary>
    public async Task<IReadOnlyList<AgentRecord>> ListConnectedAsync(Guid organizationId, TimeSpan grace, CancellationToken cancellationToken)
    {
        await using var connection = await DataSource.OpenConnectionAsync(cancellationToken);
        var rows = await connection.QueryAsync<AgentRecord>(new CommandDefinition(
            $"select {Columns} from agents where organization_id = @organizationId and last_poll_at > now() - @grace order by last_poll_at desc, id",
            new { organizationId, grace },
            cancellationToken: cancellationToken));
        return rows.AsList();
    }

    /// <summary>The most recently polled connected agent of the organization that reported <paramref name="kind"/>/<paramref name="id"/>.</summary>
    /// <summary>
    /// The agent of the organization that most recently reported the target, connected or not (null grace), or only
    /// among those that polled within <paramref name="grace"/>.
    /// </summary>
    public async Task<AgentRecord?> FindByTargetAsync(Guid organizationId, string kind, string id, TimeSpan? grace, CancellationToken cancellationToken)
    {
        await using var connection = await DataSource.OpenConnectionAsync(cancellationToken);
        return await connection.QueryFirstOrDefaultAsync<AgentRecord>(new CommandDefinition(
            $"""
            select {Columns} from agents
            where organization_id = @organizationId and (@grace::interval is null or last_poll_at > now() - @grace::interval)
              and targets @> jsonb_build_array(jsonb_build_object('kind', @kind::text, 'id', @id::text))
            order by last_poll_at desc nulls last, id limit 1
            """,
            new { organizationId, kind, id, grace },
            cancellationToken: cancellationToken));
    }

    /// <summary>
    /// Which of <paramref name="faultIds"/> belong to a live run of the organization: a faults row with that id, not
    /// removed, whose run has no verdict yet. Only those are renewed; the agent removes every other fault it holds.
    /// </summary>
    public async Task<IReadOnlyList<string>> LiveFaultIdsAsync(Guid organizationId, IReadOnlyCollection<string> faultIds, CancellationToken cancellationToken)
    {
        if (faultIds.Count == 0)
        {
            return [];
        }

        await using var connection = await DataSource.OpenConnectionAsync(cancellationToken);
        var rows = await connection.QueryAsync<string>(new CommandDefinition(
            """
            select f.id from faults f join runs r on r.id = f.run_id
            where f.id = any(@faultIds) and f.organization_id = @organizationId and r.organization_id = @organizationId
              and f.state <> 'removed' and r.verdict is null
            """,
            new { organizationId, faultIds = faultIds.Distinct(StringComparer.Ordinal).ToArray() },
            cancellationToken: cancellationToken));
        return rows.AsList();
    }

    /// <summary>
    /// Keeps the faults an agent removed on its own, for the run's owner to record: the faults row and the run's
    /// timeline are written only under the run's lease, never from a poll. Faults not of this organization are
    /// ignored; a repeated report changes nothing. Returns how many were new.
    /// </summary>
    public async Task<int> RecordSelfRemovalsAsync(Guid organizationId, Guid agentId, IReadOnlyList<NewSelfRemoval> removals, CancellationToken cancellationToken)
    {
        if (removals.Count == 0)
        {
            return 0;
        }

        await using var connection = await DataSource.OpenConnectionAsync(cancellationToken);
        return await connection.ExecuteAsync(new CommandDefinition(
            """
            insert into agent_self_removals (fault_id, organization_id, run_id, agent_id, reason, evidence, removed_at)
            select f.id, f.organization_id, f.run_id, @agentId, @Reason, @Evidence, @RemovedAt
            from faults f where f.id = @FaultId and f.organization_id = @organizationId
            on conflict (fault_id) do nothing
            """,
            removals.Select(r => new { organizationId, agentId, r.FaultId, r.Reason, r.Evidence, r.RemovedAt }),
            cancellationToken: cancellationToken));
    }

    /// <summary>Self-removals of a run its owner has not recorded yet (for the engine, under the run's lease).</summary>
    public async Task<IReadOnlyList<AgentSelfRemovalRecord>> PendingSelfRemovalsAsync(Guid runId, CancellationToken cancellationToken)
    {
        await using var connection = await DataSource.OpenConnectionAsync(cancellationToken);
        var rows = await connection.QueryAsync<AgentSelfRemovalRecord>(new CommandDefinition(
            """
            select fault_id as FaultId, run_id as RunId, agent_id as AgentId, reason, evidence, removed_at as RemovedAt, reported_at as ReportedAt
            from agent_self_removals where run_id = @runId and recorded_at is null order by reported_at, fault_id
            """,
            new { runId },
            cancellationToken: cancellationToken));
        return rows.AsList();
    }

    /// <summary>The owner wrote the self-removal into the run's record; it is not handed out again.</summary>
    public async Task MarkSelfRemovalRecordedAsync(string faultId, CancellationToken cancellationToken)
    {
        await using var connection = await DataSource.OpenConnectionAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition(
            "update agent_self_removals set recorded_at = now() where fault_id = @faultId and recorded_at is null", new { faultId }, cancellationToken: cancellationToken));
    }

    /// <summary>
    /// Records the self-removals of runs that are already closed (no owner will ever pick them up, typically a run
    /// that closed with a fault it could not reach): the fault row becomes removed with the agent's evidence and the
    /// run's timeline says so. Safe without a lease, since a closed run has no owner writing. Returns how many.
    /// </summary>
    public async Task<int> RecordForClosedRunsAsync(CancellationToken cancellationToken)
    {
        await using var connection = await DataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var rows = (await connection.QueryAsync<(string FaultId, Guid RunId, string Reason, string Evidence, DateTime RemovedAt)>(new CommandDefinition(
            """
            select s.fault_id, s.run_id, s.reason, s.evidence, s.removed_at
            from agent_self_removals s join runs r on r.id = s.run_id
            where s.recorded_at is null and r.verdict is not null
            order by s.reported_at limit 100
            for update of s skip locked
            """,
            transaction: transaction, cancellationToken: cancellationToken))).AsList();
        foreach (var row in rows)
        {
            var evidence = $"removed by its agent after the run closed: {row.Reason}: {row.Evidence}";
            var changed = await connection.ExecuteAsync(new CommandDefinition(
                "update faults set state = 'removed', removed_at = @RemovedAt, removal_evidence = @evidence where id = @FaultId and run_id = @RunId and state <> 'removed'",
                new { row.FaultId, row.RunId, row.RemovedAt, evidence }, transaction, cancellationToken: cancellationToken));
            if (changed > 0)
            {
                await Runs.RunStore.InsertEventAsync(connection, transaction, row.RunId, "fault.removed-by-agent", $"fault {row.FaultId}: {evidence}", new { faultId = row.FaultId, reason = row.Reason, evidence = row.Evidence });
            }

            await connection.ExecuteAsync(new CommandDefinition(
                "update agent_self_removals set recorded_at = now() where fault_id = @FaultId", new { row.FaultId }, transaction, cancellationToken: cancellationToken));
        }

        await transaction.CommitAsync(cancellationToken);
        return rows.Count;
    }
}
