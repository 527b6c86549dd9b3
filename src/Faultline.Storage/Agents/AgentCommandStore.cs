using Dapper;
using Faultline.Storage.Cluster;
using Faultline.Storage.Common;
using Npgsql;

namespace Faultline.Storage.Agents;

/// <summary>
/// The command queue between the engine and the agents: queued by a sender, taken by a poll, done when the result
/// arrives, withdrawn when the sender gave up before any poll took it. Each change notifies its channel at commit.
/// </summary>
public sealed class AgentCommandStore(NpgsqlDataSource dataSource) : StoreBase(dataSource)
{
    /// <summary>The most commands one poll carries; the rest wait for the next poll.</summary>
    public const int MaxPerPoll = 64;

    /// <summary>Queues a command (the protocol's JSON) and wakes the agent's poll, whichever node holds it.</summary>
    public Task QueueAsync(
        Guid organizationId, Guid agentId, Guid commandId, Guid? runId, string? faultId, string kind, string payload, CancellationToken cancellationToken) =>
        InTransactionAsync(async (connection, transaction) =>
        {
            await connection.ExecuteAsync(
                """
                insert into agent_commands (id, organization_id, agent_id, run_id, fault_id, kind, payload)
                values (@commandId, @organizationId, @agentId, (select id from runs where id = @runId and organization_id = @organizationId), @faultId, @kind, @payload::jsonb)
                """,
                new { commandId, organizationId, agentId, runId, faultId, kind, payload },
                transaction);
            await ClusterNotifications.NotifyAsync(connection, transaction, AgentChannels.Commands, agentId.ToString(), cancellationToken);
            return true;
        }, cancellationToken);

    /// <summary>Takes the agent's queued commands, oldest first (queued → taken); concurrent polls never take one twice.</summary>
    public async Task<IReadOnlyList<string>> TakeAsync(Guid agentId, CancellationToken cancellationToken)
    {
        await using var connection = await DataSource.OpenConnectionAsync(cancellationToken);
        var rows = await connection.QueryAsync<string>(new CommandDefinition(
            """
            with next as (
                select id from agent_commands where agent_id = @agentId and state = 'queued'
                order by created_at, id limit @limit for update skip locked)
            update agent_commands c set state = 'taken', taken_at = now()
            from next where c.id = next.id
            returning c.payload::text
            """,
            new { agentId, limit = MaxPerPoll },
            cancellationToken: cancellationToken));
        return rows.AsList();
    }

    /// <summary>
    /// Stores results the agent sent (taken or queued → done) and wakes their senders. A result for a command of
    /// another agent, an unknown one or a withdrawn one is ignored; a repeated result changes nothing.
    /// </summary>
    public Task<int> CompleteAsync(Guid agentId, IReadOnlyList<(Guid CommandId, string Result)> results, CancellationToken cancellationToken) =>
        results.Count == 0
            ? Task.FromResult(0)
            : InTransactionAsync(async (connection, transaction) =>
            {
                var done = 0;
                foreach (var (commandId, result) in results)
                {
                    var updated = await connection.ExecuteAsync(
                        """
                        update agent_commands set state = 'done', result = @result::jsonb, done_at = now()
                        where id = @commandId and agent_id = @agentId and state in ('queued', 'taken')
                        """,
                        new { commandId, agentId, result },
                        transaction);
                    if (updated == 1)
                    {
                        done++;
                        await ClusterNotifications.NotifyAsync(connection, transaction, AgentChannels.Results, commandId.ToString(), cancellationToken);
                    }
                }

                return done;
            }, cancellationToken);

    public async Task<AgentCommandState?> GetStateAsync(Guid commandId, CancellationToken cancellationToken)
    {
        await using var connection = await DataSource.OpenConnectionAsync(cancellationToken);
        return await connection.QuerySingleOrDefaultAsync<AgentCommandState>(new CommandDefinition(
            "select state, result::text as Result from agent_commands where id = @commandId", new { commandId }, cancellationToken: cancellationToken));
    }

    /// <summary>Withdraws the command if no poll has taken it yet; true when it was withdrawn now.</summary>
    public async Task<bool> WithdrawAsync(Guid commandId, CancellationToken cancellationToken)
    {
        await using var connection = await DataSource.OpenConnectionAsync(cancellationToken);
        return await connection.ExecuteAsync(new CommandDefinition(
            "update agent_commands set state = 'withdrawn' where id = @commandId and state = 'queued'", new { commandId }, cancellationToken: cancellationToken)) == 1;
    }

    /// <summary>Audits a command the bus refused to queue (an agent or target the organization's agents did not report).</summary>
    public Task RecordRefusalAsync(Guid organizationId, AuditContext audit, Guid agentId, object summary, CancellationToken cancellationToken) =>
        InTransactionAsync(async (connection, transaction) =>
        {
            await AppendAuditAsync(connection, transaction, organizationId, audit, "agentCommand.refused", "agent", agentId.ToString(), summary);
            return true;
        }, cancellationToken);
}
