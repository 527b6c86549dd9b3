using System.Text.Json;
using Faultline.Domain.Experiments;
using Faultline.Domain.Policies;

namespace Faultline.Domain.Tests.Policies;

/// <summary>Small builders so each test states only what it is about, with lists written as "a,b" text.</summary>
internal static class PolicyFixtures
{
    private static readonly JsonElement NoParameters = JsonDocument.Parse("{}").RootElement;

    public static string[] List(string? text) =>
        string.IsNullOrEmpty(text) ? [] : text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);

    public static Dictionary<string, string> Labels(string? text) =>
        List(text).Select(pair => pair.Split('=')).ToDictionary(parts => parts[0], parts => parts[1], StringComparer.Ordinal);

    public static TargetSelector Selector(string? kinds = "pod", string? namespaces = "staging", string? labels = "env=staging", string? targets = null) =>
        new(List(kinds), List(namespaces), Labels(labels), List(targets), null);

    public static FaultAction Fault(TargetSelector? selector = null, TimeSpan? duration = null) =>
        new("pod.kill", NoParameters, selector ?? Selector(), SelectionMode.All, duration ?? TimeSpan.FromMinutes(1));

    public static ExperimentSpec Spec(params FaultAction[] faults) => Spec(faults.Select(fault => (MethodStep)new FaultStep(fault)).ToList());

    public static ExperimentSpec Spec(IReadOnlyList<MethodStep> method, IReadOnlyList<FaultAction>? rollbacks = null) =>
        new(new ExperimentMetadata("checkout-latency", "team-a", Labels(null)), "checkout stays fast", [], method, [], rollbacks ?? [], null);

    public static PlannedTarget Pod(string id, string labels = "env=staging,app=checkout", string? ns = "staging") => new("pod", id, Labels(labels), ns);

    public static IReadOnlyList<PlannedTarget> Pods(string service, int from, int count, string env = "staging") =>
        Enumerable.Range(from, count).Select(i => Pod($"{service}-{i}", $"env={env},app={service}")).ToList();

    public static RunPlan Plan(params PlannedTarget[] targets) => Plan(Spec(Fault()), new RunRequest("alice"), targets);

    public static RunPlan Plan(ExperimentSpec spec, RunRequest request, IReadOnlyList<PlannedTarget> targets, string team = "team-a") =>
        new(spec, team, [new PlannedFault("$.spec.method[0]", targets)], request);

    public static ClusterLoad Load(IReadOnlyDictionary<string, int>? sizes = null, params RunningExperiment[] running) =>
        new(running, sizes ?? new Dictionary<string, int>(StringComparer.Ordinal));

    public static RunningExperiment Running(string team, params PlannedTarget[] targets) => new($"run-{Guid.NewGuid():N}", team, targets);

    public static string[] Rules(PolicyResult result) => result.Violations.Select(violation => violation.Rule).ToArray();
}
