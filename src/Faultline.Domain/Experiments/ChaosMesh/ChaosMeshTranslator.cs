using System.Text.Json.Nodes;
using Faultline.Domain.Validation;

namespace Faultline.Domain.Experiments.ChaosMesh;

/// <summary>
/// Translates a Chaos Mesh manifest (<c>chaos-mesh.org/v1alpha1</c> NetworkChaos, PodChaos, IOChaos or
/// Schedule, as JSON) into a Faultline experiment with one fault step.
/// </summary>
/// <remarks>
/// Nothing is dropped silently: every field is mapped, ignored with a warning, or reported as an error at its
/// JSON path, and all errors are reported at once. Chaos Mesh has no steady state, so the experiment comes
/// without probes, guardrails or rollbacks, and says so in a warning.
/// </remarks>
public static class ChaosMeshTranslator
{
    public const string ApiVersion = "chaos-mesh.org/v1alpha1";

    private const string ScheduleKind = "Schedule";

    public static ChaosMeshTranslation Translate(JsonObject manifest, ValidationErrors errors)
    {
        ArgumentNullException.ThrowIfNull(manifest);
        ArgumentNullException.ThrowIfNull(errors);

        var context = new TranslationContext(errors);
        var root = ManifestObject.Root(manifest, context);

        TranslateApiVersion(root);
        var kind = TranslateKind(root);
        var (name, ns, labels) = ManifestMetadata.Translate(root);

        FaultAction? fault = null;
        Schedule? schedule = null;
        var spec = root.Child("spec", required: true);
        if (spec is not null && kind is not null)
        {
            if (kind == ScheduleKind)
            {
                (fault, schedule) = ChaosMeshSchedules.FromSchedule(spec, ns);
            }
            else
            {
                var scheduled = spec.Has("scheduler");
                var scheduler = spec.Child("scheduler");
                fault = ChaosSpecTranslator.Translate(kind, spec, ns, scheduled);
                schedule = scheduler is null ? null : ChaosMeshSchedules.FromScheduler(scheduler);

                // Chaos Mesh 1.x kept its scheduler's bookkeeping in the spec.
                spec.Ignore("nextStart", "ignored: scheduler state written by Chaos Mesh 1.x.");
                spec.Ignore("nextRecover", "ignored: scheduler state written by Chaos Mesh 1.x.");
                spec.RejectUnknown($"a Chaos Mesh {kind} spec");
            }
        }

        root.Ignore("status", "ignored: what Chaos Mesh observed, not part of the experiment.");
        root.RejectUnknown("a Chaos Mesh manifest");
        context.Warn(
            FaultlinePaths.SteadyState,
            "Chaos Mesh has no steady-state probes, so the experiment has none, nor guardrails or rollbacks: add them before running it, or it only shows that the fault can be injected.");

        if (context.ErrorCount > 0 || fault is null || name is null)
        {
            return new ChaosMeshTranslation(null, context.Warnings, context.Mapping);
        }

        var experiment = new ExperimentSpec(
            new ExperimentMetadata(name, null, labels),
            $"Translated from Chaos Mesh {kind} '{name}': the system keeps its steady state while {fault.Injector} is applied.",
            [],
            [new FaultStep(fault)],
            [],
            [],
            schedule);
        return new ChaosMeshTranslation(experiment, context.Warnings, context.Mapping);
    }

    private static void TranslateApiVersion(ManifestObject root)
    {
        var apiVersion = root.Text("apiVersion", required: true, $"is required: {ApiVersion}.");
        if (apiVersion == ApiVersion)
        {
            root.Context.Map(root.PathOf("apiVersion"), FaultlinePaths.ApiVersion);
        }
        else if (apiVersion is not null)
        {
            root.Context.Error(
                root.PathOf("apiVersion"),
                apiVersion == "pingcap.com/v1alpha1"
                    ? $"is the API group of Chaos Mesh before 1.0; this translator reads {ApiVersion}."
                    : $"must be {ApiVersion}.");
        }
    }

    /// <summary>The kind when it is one this translator reads; otherwise null (already reported).</summary>
    private static string? TranslateKind(ManifestObject root)
    {
        var known = string.Join(", ", ChaosSpecTranslator.Kinds.Append(ScheduleKind));
        var kind = root.Text("kind", required: true, $"is required: {known}.");
        if (kind is null)
        {
            return null;
        }

        if (kind == ScheduleKind || ChaosSpecTranslator.Kinds.Contains(kind, StringComparer.Ordinal))
        {
            root.Context.Map(root.PathOf("kind"), FaultlinePaths.Injector);
            return kind;
        }

        root.Context.Error(root.PathOf("kind"), kind switch
        {
            "IoChaos" => "IoChaos is the Chaos Mesh 1.x kind: this translator reads IOChaos (Chaos Mesh 2.x).",
            "Workflow" => "Workflows are not supported: a workflow chains several chaos experiments, and Faultline translates one fault; translate each chaos of the workflow on its own.",
            _ => $"must be one of: {known}.",
        });
        return null;
    }
}
