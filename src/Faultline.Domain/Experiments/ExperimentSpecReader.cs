using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Faultline.Domain.Secrets;
using Faultline.Domain.Validation;

namespace Faultline.Domain.Experiments;

/// <summary>
/// Reads a <c>faultline.dev/v1</c> Experiment from its JSON tree (YAML goes through <see cref="SpecDocument"/>
/// first) and reports every error at once with its JSON path. Plugin parameters are only checked to be
/// objects here; the injectors' own validation runs where the plugins are loaded.
/// </summary>
public static partial class ExperimentSpecReader
{
    public static readonly TimeSpan MaxFaultDuration = TimeSpan.FromHours(24);

    private static readonly string[] StepKinds = ["fault", "pause", "parallel"];

    private static readonly Dictionary<string, SelectionKind> Modes = new(StringComparer.Ordinal)
    {
        ["one"] = SelectionKind.One,
        ["all"] = SelectionKind.All,
        ["fixed"] = SelectionKind.Fixed,
        ["fixed-percent"] = SelectionKind.FixedPercent,
        ["random-max-percent"] = SelectionKind.RandomMaxPercent,
    };

    private static readonly Dictionary<string, Aggregation> Aggregations = new(StringComparer.Ordinal)
    {
        ["last"] = Aggregation.Last,
        ["avg"] = Aggregation.Avg,
        ["min"] = Aggregation.Min,
        ["max"] = Aggregation.Max,
        ["p50"] = Aggregation.P50,
        ["p90"] = Aggregation.P90,
        ["p99"] = Aggregation.P99,
    };

    private static readonly Dictionary<string, ProviderErrorPolicy> ErrorPolicies = new(StringComparer.Ordinal)
    {
        ["abort"] = ProviderErrorPolicy.Abort,
        ["ignore"] = ProviderErrorPolicy.Ignore,
    };

    private static readonly Dictionary<string, ConcurrencyPolicy> Concurrency = new(StringComparer.Ordinal)
    {
        ["forbid"] = ConcurrencyPolicy.Forbid,
        ["allow"] = ConcurrencyPolicy.Allow,
        ["replace"] = ConcurrencyPolicy.Replace,
    };

    /// <summary>Parses YAML or JSON text and reads it; null when anything is wrong (see <paramref name="errors"/>).</summary>
    public static ExperimentSpec? Parse(string text, ValidationErrors errors) =>
        SpecDocument.Parse(text, errors) is { } document ? Read(document, errors) : null;

    public static ExperimentSpec? Read(JsonObject document, ValidationErrors errors)
    {
        var reader = new NodeReader(errors);
        reader.OnlyKnown(document, "$", "apiVersion", "kind", "metadata", "spec");
        var apiVersion = reader.Text(document, "apiVersion", "$.apiVersion", required: true);
        if (apiVersion is not null && apiVersion != ExperimentSpec.ApiVersion)
        {
            errors.Add("$.apiVersion", $"must be {ExperimentSpec.ApiVersion} (Chaos Mesh manifests are accepted too, with their own apiVersion).");
        }

        var kind = reader.Text(document, "kind", "$.kind", required: true);
        if (kind is not null && kind != ExperimentSpec.Kind)
        {
            errors.Add("$.kind", $"must be {ExperimentSpec.Kind}.");
        }

        var metadata = ReadMetadata(reader, document);
        var spec = reader.Mapping(document["spec"], "$.spec");
        if (spec is null || metadata is null)
        {
            return null;
        }

        reader.OnlyKnown(spec, "$.spec", "hypothesis", "steadyState", "method", "guardrails", "rollbacks", "schedule", "recovery");
        var hypothesis = reader.Text(spec, "hypothesis", "$.spec.hypothesis", required: true, maxLength: 2000);
        var steadyState = ReadList(reader, spec, "steadyState", "$.spec.steadyState", ReadProbe);
        var guardrails = ReadList(reader, spec, "guardrails", "$.spec.guardrails", ReadGuardrail);
        var method = ReadSteps(reader, reader.Array(spec, "method", "$.spec.method", required: true), "$.spec.method");
        var rollbacks = ReadList(reader, spec, "rollbacks", "$.spec.rollbacks", (r, node, path) => r.Mapping(node, path) is { } obj ? ReadFault(r, obj, path, "fault") : null);
        var schedule = spec["schedule"] is null ? null : ReadSchedule(reader, spec["schedule"], "$.spec.schedule");
        var recovery = spec["recovery"] is null ? null : ReadRecovery(reader, spec["recovery"], "$.spec.recovery");

        if (method.Count > 0 && !method.SelectMany(step => step.Faults).Any())
        {
            errors.Add("$.spec.method", "must contain at least one fault.");
        }

        Unique(errors, steadyState.Select(p => p.Name).Concat(guardrails.Select(g => g.Name)), "$.spec", "probe and guardrail names must be unique");

        return errors.IsEmpty
            ? new ExperimentSpec(metadata, hypothesis!, steadyState, method, guardrails, rollbacks, schedule, recovery)
            : null;
    }

    private static ExperimentMetadata? ReadMetadata(NodeReader reader, JsonObject document)
    {
        var metadata = reader.Mapping(document["metadata"], "$.metadata");
        if (metadata is null)
        {
            return null;
        }

        reader.OnlyKnown(metadata, "$.metadata", "name", "team", "labels");
        var name = reader.Text(metadata, "name", "$.metadata.name", required: true, maxLength: 63);
        if (name is not null && !NamePattern().IsMatch(name))
        {
            reader.Errors.Add("$.metadata.name", "must be lower-case letters, digits and dashes, starting with a letter or digit.");
        }

        var team = reader.Text(metadata, "team", "$.metadata.team", maxLength: 100);
        var labels = reader.StringMap(metadata, "labels", "$.metadata.labels");
        return name is null ? null : new ExperimentMetadata(name, team, labels);
    }

    private static List<MethodStep> ReadSteps(NodeReader reader, JsonArray? steps, string path)
    {
        var result = new List<MethodStep>();
        if (steps is null)
        {
            return result;
        }

        if (steps.Count == 0)
        {
            reader.Errors.Add(path, "must not be empty.");
        }

        for (var i = 0; i < steps.Count; i++)
        {
            var stepPath = $"{path}[{i}]";
            if (reader.Mapping(steps[i], stepPath) is not { } step)
            {
                continue;
            }

            var kinds = StepKinds.Where(step.ContainsKey).ToList();
            if (kinds.Count != 1)
            {
                reader.Errors.Add(stepPath, "must have exactly one of: fault, pause, parallel.");
                continue;
            }

            switch (kinds[0])
            {
                case "fault":
                    if (ReadFault(reader, step, stepPath, "fault") is { } fault)
                    {
                        result.Add(new FaultStep(fault));
                    }

                    break;
                case "pause":
                    reader.OnlyKnown(step, stepPath, "pause");
                    if (reader.Duration(step, "pause", $"{stepPath}.pause", true, TimeSpan.FromMilliseconds(1), MaxFaultDuration) is { } pause)
                    {
                        result.Add(new PauseStep(pause));
                    }

                    break;
                default:
                    reader.OnlyKnown(step, stepPath, "parallel");
                    var branches = reader.Array(step, "parallel", $"{stepPath}.parallel", required: true);
                    if (branches is null)
                    {
                        break;
                    }

                    if (branches.Count < 2)
                    {
                        reader.Errors.Add($"{stepPath}.parallel", "needs at least two branches.");
                    }

                    var read = new List<IReadOnlyList<MethodStep>>();
                    for (var b = 0; b < branches.Count; b++)
                    {
                        if (branches[b] is JsonArray branch)
                        {
                            read.Add(ReadSteps(reader, branch, $"{stepPath}.parallel[{b}]"));
                        }
                        else
                        {
                            reader.Errors.Add($"{stepPath}.parallel[{b}]", "must be a list of steps.");
                        }
                    }

                    result.Add(new ParallelStep(read));
                    break;
            }
        }

        return result;
    }

    private static FaultAction? ReadFault(NodeReader reader, JsonObject step, string path, string injectorField)
    {
        reader.OnlyKnown(step, path, injectorField, "selector", "mode", "value", "params", "duration");
        var injector = reader.Text(step, injectorField, $"{path}.{injectorField}", required: true, maxLength: 100);
        if (injector is not null && !InjectorPattern().IsMatch(injector))
        {
            reader.Errors.Add($"{path}.{injectorField}", "must be an injector name such as network.delay or noop.");
        }

        var parameters = step["params"] switch
        {
            null => JsonSerializer.SerializeToElement(new Dictionary<string, object>()),
            JsonObject obj => JsonSerializer.SerializeToElement(obj),
            _ => Invalid(reader, $"{path}.params", "must be an object."),
        };
        foreach (var reference in SecretReferences.Find(parameters, $"{path}.params", null))
        {
            // Fault parameters are recorded with each fault so a later owner can roll it back: resolved, they would be stored.
            reader.Errors.Add(reference.Path, "secrets are resolved in probe and guardrail config only, never in fault parameters (they are recorded with the run).");
        }

        var selector = ReadSelector(reader, step["selector"], $"{path}.selector");
        var mode = ReadMode(reader, step, path);
        var duration = reader.Duration(step, "duration", $"{path}.duration", true, TimeSpan.FromMilliseconds(100), MaxFaultDuration);
        return injector is null || selector is null || mode is null || duration is null
            ? null
            : new FaultAction(injector, parameters, selector, mode, duration.Value);
    }

    private static TargetSelector? ReadSelector(NodeReader reader, JsonNode? node, string path)
    {
        var selector = reader.Mapping(node, path);
        if (selector is null)
        {
            return null;
        }

        reader.OnlyKnown(selector, path, "kinds", "namespaces", "labels", "targets", "discovery");
        var result = new TargetSelector(
            reader.StringList(selector, "kinds", $"{path}.kinds"),
            reader.StringList(selector, "namespaces", $"{path}.namespaces"),
            reader.StringMap(selector, "labels", $"{path}.labels"),
            reader.StringList(selector, "targets", $"{path}.targets"),
            reader.Text(selector, "discovery", $"{path}.discovery", maxLength: 100));

        // An empty selector would mean "everything": never a default in chaos engineering.
        if (result.IsEmpty)
        {
            reader.Errors.Add(path, "must narrow the targets (kinds, namespaces, labels or targets); an empty selector is refused.");
        }

        return result;
    }

    private static SelectionMode? ReadMode(NodeReader reader, JsonObject step, string path)
    {
        var kind = step["mode"] is null ? SelectionKind.All : reader.Enum(step, "mode", $"{path}.mode", Modes);
        if (kind is null)
        {
            return null;
        }

        var max = kind is SelectionKind.Fixed ? 100_000 : 100;
        var value = reader.WholeNumber(step, "value", $"{path}.value", 1, max);
        var needsValue = kind is SelectionKind.Fixed or SelectionKind.FixedPercent or SelectionKind.RandomMaxPercent;
        if (needsValue && value is null && step["value"] is null)
        {
            reader.Errors.Add($"{path}.value", $"is required with mode {step["mode"]}.");
            return null;
        }

        if (!needsValue && step["value"] is not null)
        {
            reader.Errors.Add($"{path}.value", "is only used with fixed, fixed-percent and random-max-percent modes.");
            return null;
        }

        return new SelectionMode(kind.Value, value);
    }

    private static Probe? ReadProbe(NodeReader reader, JsonNode? node, string path)
    {
        var probe = reader.Mapping(node, path);
        if (probe is null)
        {
            return null;
        }

        reader.OnlyKnown(probe, path, "name", "provider", "query", "config", "tolerance", "window", "aggregation", "onProviderError");
        var (name, provider, query, config) = ReadQuery(reader, probe, path);
        var tolerance = ReadTolerance(reader, probe["tolerance"], $"{path}.tolerance");
        var window = reader.Duration(probe, "window", $"{path}.window", false, TimeSpan.FromSeconds(1), TimeSpan.FromHours(24));
        var aggregation = probe["aggregation"] is null ? Aggregation.Last : reader.Enum(probe, "aggregation", $"{path}.aggregation", Aggregations);
        var onError = probe["onProviderError"] is null ? ProviderErrorPolicy.Abort : reader.Enum(probe, "onProviderError", $"{path}.onProviderError", ErrorPolicies);
        return name is null || provider is null || query is null || tolerance is null || aggregation is null || onError is null
            ? null
            : new Probe(name, provider, query, config, tolerance, window, aggregation.Value, onError.Value);
    }

    private static Recovery? ReadRecovery(NodeReader reader, JsonNode? node, string path)
    {
        var recovery = reader.Mapping(node, path);
        if (recovery is null)
        {
            return null;
        }

        reader.OnlyKnown(recovery, path, "within");
        var within = reader.Duration(recovery, "within", $"{path}.within", true, TimeSpan.FromSeconds(1), Recovery.MaxWithin);
        return within is null ? null : new Recovery(within.Value);
    }

    private static Guardrail? ReadGuardrail(NodeReader reader, JsonNode? node, string path)
    {
        var guardrail = reader.Mapping(node, path);
        if (guardrail is null)
        {
            return null;
        }

        reader.OnlyKnown(guardrail, path, "name", "provider", "query", "config", "tolerance", "every", "onProviderError", "window", "aggregation");
        var (name, provider, query, config) = ReadQuery(reader, guardrail, path);
        var tolerance = ReadTolerance(reader, guardrail["tolerance"], $"{path}.tolerance");
        var every = guardrail["every"] is null
            ? Guardrail.DefaultInterval
            : reader.Duration(guardrail, "every", $"{path}.every", true, TimeSpan.FromMilliseconds(100), TimeSpan.FromHours(1));
        var onError = guardrail["onProviderError"] is null ? ProviderErrorPolicy.Abort : reader.Enum(guardrail, "onProviderError", $"{path}.onProviderError", ErrorPolicies);
        var window = reader.Duration(guardrail, "window", $"{path}.window", false, TimeSpan.FromSeconds(1), TimeSpan.FromHours(24));
        var aggregation = guardrail["aggregation"] is null ? Aggregation.Last : reader.Enum(guardrail, "aggregation", $"{path}.aggregation", Aggregations);
        if (guardrail["aggregation"] is not null && aggregation is not Aggregation.Last && guardrail["window"] is null)
        {
            reader.Errors.Add($"{path}.aggregation", "needs a window: an aggregation reduces the samples of a window (add window: 30s).");
            return null;
        }

        return name is null || provider is null || query is null || tolerance is null || every is null || onError is null || aggregation is null
            ? null
            : new Guardrail(name, provider, query, config, tolerance, every.Value, onError.Value, window, aggregation.Value);
    }

    private static (string? Name, string? Provider, string? Query, JsonElement Config) ReadQuery(NodeReader reader, JsonObject probe, string path)
    {
        var name = reader.Text(probe, "name", $"{path}.name", required: true, maxLength: 100);
        var provider = reader.Text(probe, "provider", $"{path}.provider", required: true, maxLength: 100);
        var query = reader.Text(probe, "query", $"{path}.query", required: true, maxLength: 10_000);
        var config = probe["config"] switch
        {
            null => JsonSerializer.SerializeToElement(new Dictionary<string, object>()),
            JsonObject obj => JsonSerializer.SerializeToElement(obj),
            _ => Invalid(reader, $"{path}.config", "must be an object."),
        };

        // Only the shape is checked here; whether the secret exists depends on the team, checked where it is known.
        _ = SecretReferences.Find(config, $"{path}.config", reader.Errors);
        return (name, provider, query, config);
    }

    private static Tolerance? ReadTolerance(NodeReader reader, JsonNode? node, string path)
    {
        var obj = reader.Mapping(node, path);
        if (obj is null)
        {
            return null;
        }

        reader.OnlyKnown(obj, path, "lessThan", "lessThanOrEqual", "greaterThan", "greaterThanOrEqual", "range", "maxIncreasePercent", "maxDecreasePercent");
        double? min = null;
        double? max = null;
        if (reader.Mapping(obj["range"], $"{path}.range", required: false) is { } range)
        {
            reader.OnlyKnown(range, $"{path}.range", "min", "max");
            min = reader.Number(range, "min", $"{path}.range.min");
            max = reader.Number(range, "max", $"{path}.range.max");
            if (min is null || max is null || min > max)
            {
                reader.Errors.Add($"{path}.range", "needs min and max with min <= max.");
            }
        }

        var tolerance = new Tolerance(
            reader.Number(obj, "lessThan", $"{path}.lessThan"),
            reader.Number(obj, "lessThanOrEqual", $"{path}.lessThanOrEqual") ?? max,
            reader.Number(obj, "greaterThan", $"{path}.greaterThan"),
            reader.Number(obj, "greaterThanOrEqual", $"{path}.greaterThanOrEqual") ?? min,
            Percent(reader, obj, "maxIncreasePercent", path),
            Percent(reader, obj, "maxDecreasePercent", path));
        if (tolerance.IsEmpty)
        {
            reader.Errors.Add(path, "needs at least one bound (lessThan, greaterThan, range, maxIncreasePercent...).");
            return null;
        }

        return tolerance;
    }

    private static double? Percent(NodeReader reader, JsonObject obj, string name, string path)
    {
        var value = reader.Number(obj, name, $"{path}.{name}");
        if (value is < 0)
        {
            reader.Errors.Add($"{path}.{name}", "must not be negative.");
        }

        return value;
    }

    private static Schedule? ReadSchedule(NodeReader reader, JsonNode? node, string path)
    {
        var schedule = reader.Mapping(node, path);
        if (schedule is null)
        {
            return null;
        }

        reader.OnlyKnown(schedule, path, "cron", "concurrency");
        var cron = reader.Text(schedule, "cron", $"{path}.cron", required: true, maxLength: 200);
        if (cron is not null && !CronSchedule.TryParse(cron, out _, out var error))
        {
            reader.Errors.Add($"{path}.cron", error);
            return null;
        }

        var concurrency = schedule["concurrency"] is null ? ConcurrencyPolicy.Forbid : reader.Enum(schedule, "concurrency", $"{path}.concurrency", Concurrency);
        return cron is null || concurrency is null ? null : new Schedule(cron, concurrency.Value);
    }

    private static List<T> ReadList<T>(NodeReader reader, JsonObject parent, string name, string path, Func<NodeReader, JsonNode?, string, T?> read)
        where T : class
    {
        var array = reader.Array(parent, name, path);
        var result = new List<T>();
        for (var i = 0; array is not null && i < array.Count; i++)
        {
            if (read(reader, array[i], $"{path}[{i.ToString(CultureInfo.InvariantCulture)}]") is { } item)
            {
                result.Add(item);
            }
        }

        return result;
    }

    private static void Unique(ValidationErrors errors, IEnumerable<string> names, string path, string message)
    {
        foreach (var duplicate in names.GroupBy(n => n, StringComparer.Ordinal).Where(g => g.Count() > 1))
        {
            errors.Add(path, $"{message}: '{duplicate.Key}' is used more than once.");
        }
    }

    private static JsonElement Invalid(NodeReader reader, string path, string message)
    {
        reader.Errors.Add(path, message);
        return default;
    }

    [GeneratedRegex("^[a-z0-9][a-z0-9-]*$")]
    private static partial Regex NamePattern();

    [GeneratedRegex("^[a-z0-9][a-z0-9-]*(\\.[a-z0-9][a-z0-9-]*)*$")]
    private static partial Regex InjectorPattern();
}
