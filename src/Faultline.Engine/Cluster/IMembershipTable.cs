namespace Faultline.Engine.Cluster;

/// <summary>
/// The node table as <see cref="ClusterMembership"/> needs it; over PostgreSQL it is
/// <c>Faultline.Storage.Cluster.NodeStore</c>, which stamps every heartbeat with the database clock.
/// </summary>
public interface IMembershipTable
{
    Task RegisterAsync(Guid nodeId, string address, CancellationToken cancellationToken);

    /// <summary>False when the table does not know the node as running (never registered, or stopped).</summary>
    Task<bool> HeartbeatAsync(Guid nodeId, CancellationToken cancellationToken);

    Task MarkStoppedAsync(Guid nodeId, CancellationToken cancellationToken);
}
