using Faultline.Domain.Experiments;

namespace Faultline.Domain.Policies;

/// <summary>
/// A run about to start: the spec (checked again, since the policy may have changed since it was created),
/// the owning team, the targets each fault resolved to, and the request with its approval.
/// </summary>
public sealed record RunPlan(ExperimentSpec Spec, string Team, IReadOnlyList<PlannedFault> Faults, RunRequest Request)
{
    /// <summary>Every target of the plan once, whichever faults share it.</summary>
    public IEnumerable<PlannedTarget> DistinctTargets =>
        Faults.SelectMany(fault => fault.Targets).DistinctBy(target => target.Key, StringComparer.Ordinal);
}
