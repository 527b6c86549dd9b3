namespace Faultline.Domain.Policies;

/// <summary>A run in progress anywhere in the cluster, of any team, with the targets it currently faults.</summary>
public sealed record RunningExperiment(string RunId, string Team, IReadOnlyList<PlannedTarget> FaultedTargets);
