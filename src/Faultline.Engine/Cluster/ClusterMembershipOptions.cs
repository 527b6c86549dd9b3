namespace Faultline.Engine.Cluster;

public sealed record ClusterMembershipOptions
{
    /// <summary>Where other nodes and agents reach this node, e.g. its API base address.</summary>
    public required string Address { get; init; }

    /// <summary>
    /// How often the node proves it is alive. Readers declare a node dead after a TTL of their own, which
    /// should span several intervals so that one slow heartbeat is not a death.
    /// </summary>
    public TimeSpan HeartbeatInterval { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>A fixed id for this node; a new one (time-ordered) per start when null.</summary>
    public Guid? NodeId { get; init; }
}
