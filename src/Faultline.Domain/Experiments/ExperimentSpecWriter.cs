using System.Text.Json;
using System.Text.Json.Nodes;

namespace Faultline.Domain.Experiments;

/// <summary>
/// Writes a spec back as a <c>faultline.dev/v1</c> document in the shape <see cref="ExperimentSpecReader"/>
/// reads, with defaults made explicit: what is stored, shown, and what a Chaos Mesh manifest became.
/// Reading what this writes gives the same spec.
/// </summary>
public static class ExperimentSpecWriter
{
    public static JsonObject Write(ExperimentSpec spec)
    {
        var metadata = new JsonObject { ["name"] = spec.Metadata.Name };
        if (spec.Metadata.Team is not null)
        {
            metadata["team"] = spec.Metadata.Team;
        }

        if (spec.Metadata.Labels.Count > 0)
        {
            metadata["labels"] = Map(spec.Metadata.Labels);
        }

        var body = new JsonObject
        {
            ["hypothesis"] = spec.Hypothesis,
            ["steadyState"] = new JsonArray([.. spec.SteadyState.Select(Probe)]),
            ["method"] = Steps(spec.Method),
            ["guardrails"] = new JsonArray([.. spec.Guardrails.Select(Guardrail)]),
            ["rollbacks"] = new JsonArray([.. spec.Rollbacks.Select(f => Fault(f))]),
        };
        if (spec.Schedule is { } schedule)
        {
            body["schedule"] = new JsonObject { ["cron"] = schedule.Cron, ["concurrency"] = schedule.Concurrency.ToString().ToLowerInvariant() };
        }

        if (spec.Recovery is { } recovery)
        {
            body["recovery"] = new JsonObject { ["within"] = Durations.Format(recovery.Within) };
        }

        return new JsonObject
        {
            ["apiVersion"] = ExperimentSpec.ApiVersion,
            ["kind"] = ExperimentSpec.Kind,
            ["metadata"] = metadata,
            ["spec"] = body,
        };
    }

    private static JsonArray Steps(IReadOnlyList<MethodStep> steps) => new([.. steps.Select(Step)]);

    private static JsonObject Step(MethodStep step) => step switch
    {
        FaultStep fault => Fault(fault.Fault),
        PauseStep pause => new JsonObject { ["pause"] = Durations.Format(pause.Duration) },
        ParallelStep parallel => new JsonObject { ["parallel"] = new JsonArray([.. parallel.Branches.Select(Steps)]) },
        _ => throw new InvalidOperationException($"Unknown step {step.GetType().Name}."),
    };

    private static JsonObject Fault(FaultAction fault)
    {
        var selector = new JsonObject();
        if (fault.Selector.Kinds.Count > 0)
        {
            selector["kinds"] = Strings(fault.Selector.Kinds);
        }

        if (fault.Selector.Namespaces.Count > 0)
        {
            selector["namespaces"] = Strings(fault.Selector.Namespaces);
        }

        if (fault.Selector.Labels.Count > 0)
        {
            selector["labels"] = Map(fault.Selector.Labels);
        }

        if (fault.Selector.Targets.Count > 0)
        {
            selector["targets"] = Strings(fault.Selector.Targets);
        }

        if (fault.Selector.Discovery is not null)
        {
            selector["discovery"] = fault.Selector.Discovery;
        }

        var result = new JsonObject
        {
            ["fault"] = fault.Injector,
            ["selector"] = selector,
            ["mode"] = fault.Mode.Kind switch
            {
                SelectionKind.FixedPercent => "fixed-percent",
                SelectionKind.RandomMaxPercent => "random-max-percent",
                var kind => kind.ToString().ToLowerInvariant(),
            },
        };
        if (fault.Mode.Value is { } value)
        {
            result["value"] = value;
        }

        result["params"] = JsonNode.Parse(fault.Parameters.GetRawText());
        result["duration"] = Durations.Format(fault.Duration);
        return result;
    }

    private static JsonObject Probe(Probe probe)
    {
        var result = Query(probe.Name, probe.Provider, probe.Query, probe.Configuration, probe.Tolerance);
        if (probe.Window is { } window)
        {
            result["window"] = Durations.Format(window);
        }

        result["aggregation"] = probe.Aggregation.ToString().ToLowerInvariant();
        result["onProviderError"] = probe.OnProviderError.ToString().ToLowerInvariant();
        return result;
    }

    private static JsonObject Guardrail(Guardrail guardrail)
    {
        var result = Query(guardrail.Name, guardrail.Provider, guardrail.Query, guardrail.Configuration, guardrail.Tolerance);
        result["every"] = Durations.Format(guardrail.Every);
        if (guardrail.Window is { } window)
        {
            result["window"] = Durations.Format(window);
        }

        result["aggregation"] = guardrail.Aggregation.ToString().ToLowerInvariant();
        result["onProviderError"] = guardrail.OnProviderError.ToString().ToLowerInvariant();
        return result;
    }

    private static JsonObject Query(string name, string provider, string query, JsonElement configuration, Tolerance tolerance)
    {
        var bounds = new JsonObject();
        void Bound(string field, double? value)
        {
            if (value is { } v)
            {
                bounds[field] = v;
            }
        }

        Bound("lessThan", tolerance.LessThan);
        Bound("lessThanOrEqual", tolerance.LessThanOrEqual);
        Bound("greaterThan", tolerance.GreaterThan);
        Bound("greaterThanOrEqual", tolerance.GreaterThanOrEqual);
        Bound("maxIncreasePercent", tolerance.MaxIncreasePercent);
        Bound("maxDecreasePercent", tolerance.MaxDecreasePercent);
        var result = new JsonObject { ["name"] = name, ["provider"] = provider, ["query"] = query };
        if (configuration.ValueKind == JsonValueKind.Object && configuration.EnumerateObject().Any())
        {
            result["config"] = JsonNode.Parse(configuration.GetRawText());
        }

        result["tolerance"] = bounds;
        return result;
    }

    private static JsonArray Strings(IEnumerable<string> values) => new([.. values.Select(v => (JsonNode?)JsonValue.Create(v))]);

    private static JsonObject Map(IReadOnlyDictionary<string, string> values)
    {
        var map = new JsonObject();
        foreach (var (key, value) in values)
        {
            map[key] = value;
        }

        return map;
    }
}
