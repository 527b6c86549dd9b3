namespace Faultline.Storage.Cluster;

/// <summary>A node as the database clock sees it: <c>live</c>, <c>dead</c> or <c>stopped</c>.</summary>
public sealed record ClusterNodeStatus(Guid Id, string Address, DateTime StartedAt, DateTime HeartbeatAt, DateTime? StoppedAt, string Status);
