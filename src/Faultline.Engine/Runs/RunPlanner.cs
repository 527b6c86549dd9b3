using System.Text.Json;
using Faultline.Domain.Experiments;
using Faultline.Domain.Policies;
using Faultline.Domain.Validation;
using Faultline.Engine.Agents;
using Faultline.Engine.Plugins;
using Faultline.Sdk.Injection;
using Faultline.Sdk.Targets;
using Faultline.Storage.Policies;
using Faultline.Storage.Runs;

namespace Faultline.Engine.Runs;

/// <summary>
/// Works out a run before anything is injected: resolves every fault's targets, has each injector validate
/// its parameters against each target, and checks the team's blast-radius policy against the real targets and
/// the faults every other running experiment holds. Used by dry runs and, again, by a run's owner just before
/// injection (the world may have changed since the run was requested).
/// </summary>
public sealed class RunPlanner(InjectorRouter router, TargetResolver resolver, PolicyStore policies, RunStore runs)
{
    public async Task<ExecutionPlan> PlanAsync(
        ExperimentSpec spec, Guid organizationId, Guid? teamId, string teamName, RunRequest request, Guid? runId, Random random, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(random);
        var problems = new List<PlanProblem>();
        var actions = new List<PlannedAction>();
        foreach (var (path, fault) in FaultLocations.Of(spec))
        {
            actions.Add(await PlanActionAsync(path, fault, organizationId, runId ?? Guid.Empty, random, problems, cancellationToken));
        }

        var policy = await LoadPolicyAsync(organizationId, teamId, cancellationToken);
        var planned = new RunPlan(
            spec,
            teamName,
            [.. actions.Select(action => new PlannedFault(action.Path, [.. action.Targets.Select(ToPlanned)]))],
            request);
        var load = await LoadAsync(runId, actions, policy, cancellationToken);
        return new ExecutionPlan(actions, problems, PolicyEvaluator.CheckPlan(planned, policy, load));
    }

    public async Task<BlastRadiusPolicy> LoadPolicyAsync(Guid organizationId, Guid? teamId, CancellationToken cancellationToken)
    {
        if (teamId is not { } team || await policies.GetAsync(organizationId, team, cancellationToken) is not { } record)
        {
            return BlastRadiusPolicy.Unrestricted;
        }

        var errors = new ValidationErrors();

        // A stored policy that no longer reads (a newer field, a hand edit) must not silently become "unrestricted".
        return BlastRadiusPolicyJson.Read(System.Text.Json.Nodes.JsonNode.Parse(record.Policy), errors)
            ?? throw new InvalidOperationException($"The stored policy of team {team} is invalid: {string.Join("; ", errors.ToDictionary().Select(e => $"{e.Key} {string.Join(" ", e.Value)}"))}");
    }

    public static PlannedTarget ToPlanned(Target target)
    {
        ArgumentNullException.ThrowIfNull(target);
        return new PlannedTarget(target.Kind, target.Id, target.Labels, TargetResolver.NamespaceOf(target));
    }

    private async Task<PlannedAction> PlanActionAsync(
        string path, FaultAction fault, Guid organizationId, Guid runId, Random random, List<PlanProblem> problems, CancellationToken cancellationToken)
    {
        var injector = await router.FindAsync(fault.Injector, organizationId, cancellationToken);
        if (injector is null)
        {
            problems.Add(new PlanProblem($"{path}.fault", $"No injector named '{fault.Injector}' is loaded on this node or reported by a connected agent."));
        }

        IReadOnlyList<Target> candidates;
        try
        {
            candidates = await resolver.CandidatesAsync(fault.Selector, cancellationToken, organizationId);
        }
        catch (TargetResolutionException exception)
        {
            problems.Add(new PlanProblem($"{path}.selector", exception.Message));
            return new PlannedAction(path, fault, injector, [], []);
        }
        catch (Exception exception) when (exception is PluginCallException)
        {
            problems.Add(new PlanProblem($"{path}.selector.discovery", $"Target discovery failed: {exception.Message}"));
            return new PlannedAction(path, fault, injector, [], []);
        }

        var targets = TargetResolver.Select(candidates, fault.Mode, random);
        if (targets.Count == 0)
        {
            problems.Add(new PlanProblem($"{path}.selector", "The selector matches no target."));
        }

        if (injector is not null)
        {
            foreach (var target in targets)
            {
                if (!injector.Descriptor.TargetKinds.Contains(target.Kind, StringComparer.OrdinalIgnoreCase))
                {
                    problems.Add(new PlanProblem($"{path}.selector", $"{injector.Name} acts on {string.Join(", ", injector.Descriptor.TargetKinds)} targets, not on {target}."));
                    continue;
                }

                var request = new FaultRequest("plan", runId, target, fault.Parameters, fault.Duration, DateTimeOffset.UtcNow + fault.Duration);
                try
                {
                    var validation = await injector.ValidateAsync(request, cancellationToken);
                    problems.AddRange(validation.Errors.Select(error => new PlanProblem($"{path}.params", $"{target}: {error.Path} {error.Message}")));
                }
                catch (PluginCallException exception)
                {
                    problems.Add(new PlanProblem($"{path}.params", $"{injector.Name} could not validate {target}: {exception.Message}"));
                }
            }
        }

        return new PlannedAction(path, fault, injector, candidates, targets);
    }

    // Every other unfinished run with the targets its open faults hold, and each service's size among the
    // candidates seen now: what the cluster-wide share and concurrency limits are measured against.
    private async Task<ClusterLoad> LoadAsync(Guid? runId, IReadOnlyList<PlannedAction> actions, BlastRadiusPolicy policy, CancellationToken cancellationToken)
    {
        var openRuns = await runs.OpenRunsAsync(cancellationToken);
        var openFaults = await runs.OpenFaultTargetsAsync(cancellationToken);
        var faultedByRun = openFaults
            .Where(fault => fault.RunId != runId)
            .GroupBy(fault => fault.RunId)
            .ToDictionary(group => group.Key, group => group.Select(fault => ToPlanned(ReadTarget(fault.Target))).ToList());
        var running = openRuns
            .Where(run => run.RunId != runId)
            .Select(run => new RunningExperiment(run.RunId.ToString(), run.Team ?? "", faultedByRun.GetValueOrDefault(run.RunId) ?? []))
            .ToList();
        var sizes = actions
            .SelectMany(action => action.Candidates)
            .DistinctBy(target => target.ToString(), StringComparer.Ordinal)
            .Where(target => target.Labels.ContainsKey(policy.ServiceLabel))
            .GroupBy(target => target.Labels[policy.ServiceLabel], StringComparer.Ordinal)
            .ToDictionary(group => group.Key, group => group.Count(), StringComparer.Ordinal);
        return new ClusterLoad(running, sizes);
    }

    private static readonly JsonSerializerOptions TargetJson = new(JsonSerializerDefaults.Web);

    public static Target ReadTarget(string json) =>
        JsonSerializer.Deserialize<Target>(json, TargetJson) ?? throw new JsonException("A stored target cannot be null.");

    public static string WriteTarget(Target target) => JsonSerializer.Serialize(target, TargetJson);
}
