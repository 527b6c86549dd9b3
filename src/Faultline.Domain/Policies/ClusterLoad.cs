namespace Faultline.Domain.Policies;

/// <summary>
/// What is already happening in the cluster when a run asks to start: every running experiment of every team
/// (the service share is a cluster-wide limit, since two teams each taking 40% of a service leave it at 20%),
/// and the total number of targets of each service, keyed by the value of the policy's service label.
/// </summary>
public sealed record ClusterLoad(IReadOnlyList<RunningExperiment> Running, IReadOnlyDictionary<string, int> ServiceSizes)
{
    public static ClusterLoad Idle { get; } = new([], new Dictionary<string, int>(StringComparer.Ordinal));
}
