using Faultline.Storage.Cluster;

namespace Faultline.Engine.Cluster;

/// <summary>
/// <see cref="IMembershipTable"/> over the PostgreSQL node table. It lives here until Faultline.Engine
/// references Faultline.Storage; then it moves, unchanged, next to <see cref="ClusterMembership"/>.
/// </summary>
public sealed class PostgresMembershipTable(NodeStore store) : IMembershipTable
{
    public Task RegisterAsync(Guid nodeId, string address, CancellationToken cancellationToken) =>
        store.RegisterAsync(nodeId, address, cancellationToken);

    public Task<bool> HeartbeatAsync(Guid nodeId, CancellationToken cancellationToken) =>
        store.HeartbeatAsync(nodeId, cancellationToken);

    public Task MarkStoppedAsync(Guid nodeId, CancellationToken cancellationToken) =>
        store.MarkStoppedAsync(nodeId, cancellationToken);
}
