using Dapper;
using Faultline.Storage.Common;
using Npgsql;

namespace Faultline.Storage.Cluster;

/// <summary>
/// Cluster membership by heartbeat. Every timestamp is written and compared by the database (<c>now()</c>),
/// so "alive" means the same thing to every node whatever its own clock says.
/// </summary>
public sealed class NodeStore(NpgsqlDataSource dataSource) : StoreBase(dataSource)
{
    private const string Columns = "id, address, started_at as StartedAt, heartbeat_at as HeartbeatAt, stopped_at as StoppedAt";

    /// <summary>
    /// Records the node as started and alive (again, if it had stopped). Idempotent, so a register retried
    /// after a lost reply does not fail; a node id seen before keeps its start time.
    /// </summary>
    public async Task<ClusterNodeRecord> RegisterAsync(Guid nodeId, string address, CancellationToken cancellationToken)
    {
        await using var connection = await DataSource.OpenConnectionAsync(cancellationToken);
        return await connection.QuerySingleAsync<ClusterNodeRecord>(new CommandDefinition(
            $"""
            insert into cluster_nodes (id, address) values (@nodeId, @address)
            on conflict (id) do update set address = excluded.address, heartbeat_at = now(), stopped_at = null
            returning {Columns}
            """,
            new { nodeId, address },
            cancellationToken: cancellationToken));
    }

    /// <summary>False when the node is unknown or has stopped: a stopped node does not come back by heartbeat.</summary>
    public async Task<bool> HeartbeatAsync(Guid nodeId, CancellationToken cancellationToken)
    {
        await using var connection = await DataSource.OpenConnectionAsync(cancellationToken);
        return await connection.ExecuteAsync(new CommandDefinition(
            "update cluster_nodes set heartbeat_at = now() where id = @nodeId and stopped_at is null",
            new { nodeId },
            cancellationToken: cancellationToken)) == 1;
    }

    /// <summary>A clean shutdown: the node is neither live nor dead afterwards, so nobody treats it as crashed.</summary>
    public async Task<bool> MarkStoppedAsync(Guid nodeId, CancellationToken cancellationToken)
    {
        await using var connection = await DataSource.OpenConnectionAsync(cancellationToken);
        return await connection.ExecuteAsync(new CommandDefinition(
            "update cluster_nodes set stopped_at = now() where id = @nodeId and stopped_at is null",
            new { nodeId },
            cancellationToken: cancellationToken)) == 1;
    }

    public async Task<ClusterNodeRecord?> GetAsync(Guid nodeId, CancellationToken cancellationToken)
    {
        await using var connection = await DataSource.OpenConnectionAsync(cancellationToken);
        return await connection.QuerySingleOrDefaultAsync<ClusterNodeRecord>(new CommandDefinition(
            $"select {Columns} from cluster_nodes where id = @nodeId",
            new { nodeId },
            cancellationToken: cancellationToken));
    }

    /// <summary>Nodes that have not stopped and heartbeated within <paramref name="ttl"/>, in id order.</summary>
    public async Task<IReadOnlyList<ClusterNodeRecord>> ListLiveAsync(TimeSpan ttl, CancellationToken cancellationToken)
    {
        await using var connection = await DataSource.OpenConnectionAsync(cancellationToken);
        var rows = await connection.QueryAsync<ClusterNodeRecord>(new CommandDefinition(
            $"select {Columns} from cluster_nodes where stopped_at is null and heartbeat_at > now() - @ttl order by id",
            new { ttl },
            cancellationToken: cancellationToken));
        return rows.AsList();
    }

    /// <summary>
    /// Nodes that went silent without stopping (crashed, paused, cut off) for longer than <paramref name="ttl"/>,
    /// longest silent first: their work is to be taken over.
    /// </summary>
    public async Task<IReadOnlyList<ClusterNodeRecord>> ListDeadAsync(TimeSpan ttl, CancellationToken cancellationToken)
    {
        await using var connection = await DataSource.OpenConnectionAsync(cancellationToken);
        var rows = await connection.QueryAsync<ClusterNodeRecord>(new CommandDefinition(
            $"select {Columns} from cluster_nodes where stopped_at is null and heartbeat_at <= now() - @ttl order by heartbeat_at, id",
            new { ttl },
            cancellationToken: cancellationToken));
        return rows.AsList();
    }

    /// <summary>
    /// Every node with its status as the database clock judges it: stopped (said goodbye), live (heartbeat within
    /// <paramref name="ttl"/>) or dead (silent for longer: its runs are to be taken over).
    /// </summary>
    public async Task<IReadOnlyList<ClusterNodeStatus>> ListWithStatusAsync(TimeSpan ttl, int limit, CancellationToken cancellationToken)
    {
        await using var connection = await DataSource.OpenConnectionAsync(cancellationToken);
        var rows = await connection.QueryAsync<ClusterNodeStatus>(new CommandDefinition(
            """
            select id, address, started_at as StartedAt, heartbeat_at as HeartbeatAt, stopped_at as StoppedAt,
                   case when stopped_at is not null then 'stopped'
                        when heartbeat_at > now() - @ttl then 'live'
                        else 'dead' end as Status
            from cluster_nodes
            order by (stopped_at is not null), heartbeat_at desc
            limit @limit
            """,
            new { ttl, limit },
            cancellationToken: cancellationToken));
        return rows.ToList();
    }
}
