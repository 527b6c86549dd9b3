using Faultline.Domain.Experiments;
using Faultline.Domain.Policies;
using Faultline.Engine.Plugins;
using Faultline.Sdk.Targets;

namespace Faultline.Engine.Runs;

/// <summary>One fault action of the spec with the injector that will run it and the targets it will hit.</summary>
public sealed record PlannedAction(string Path, FaultAction Fault, IInjectorChannel? Injector, IReadOnlyList<Target> Candidates, IReadOnlyList<Target> Targets);

/// <summary>
/// What a run would do, worked out without injecting anything: the targets of every fault, the problems that
/// stop it (unknown injector, no target, parameters the injector refuses), and the policy's verdict on it.
/// </summary>
public sealed record ExecutionPlan(IReadOnlyList<PlannedAction> Actions, IReadOnlyList<PlanProblem> Problems, PolicyResult Policy)
{
    /// <summary>Problems other than a missing approval, which a run can wait for.</summary>
    public bool IsRunnable => Problems.Count == 0 && Policy.Violations.All(violation => violation.Rule == PolicyRules.ApprovalRequired);

    public bool IsAllowedNow => Problems.Count == 0 && Policy.IsAllowed;

    public PlannedAction? Find(string path) => Actions.FirstOrDefault(action => action.Path == path);
}

/// <summary>A reason the plan cannot run, with the JSON path of the spec field at fault.</summary>
public sealed record PlanProblem(string Path, string Message);
