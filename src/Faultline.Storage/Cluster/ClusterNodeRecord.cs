namespace Faultline.Storage.Cluster;

/// <summary>A control-plane node as stored. Timestamps are the database's (UTC), never the node's.</summary>
public sealed record ClusterNodeRecord(Guid Id, string Address, DateTime StartedAt, DateTime HeartbeatAt, DateTime? StoppedAt);
