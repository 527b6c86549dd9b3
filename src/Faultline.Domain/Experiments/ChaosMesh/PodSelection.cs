using System.Text.Json;
using System.Text.Json.Nodes;

namespace Faultline.Domain.Experiments.ChaosMesh;

/// <summary>
/// Chaos Mesh's pod selection (<c>selector</c>, <c>mode</c>, <c>value</c>, on a chaos spec or a partition
/// <c>target</c>) as a Faultline <see cref="TargetSelector"/> and <see cref="SelectionMode"/>.
/// </summary>
internal static class PodSelection
{
    private const string NotSupported = "is not supported yet: Faultline selects pods by namespace, labels and pod names only.";

    /// <summary>The most pods a fixed mode may name, as in a Faultline document.</summary>
    private const int MaxFixed = 100_000;

    private static readonly string[] Modes = ["one", "all", "fixed", "fixed-percent", "random-max-percent"];

    /// <summary>
    /// Reads <c>selector</c>, <c>mode</c> and <c>value</c> of <paramref name="owner"/>, mapping them under
    /// <paramref name="target"/> (a fault step, or a parameter holding a second selection).
    /// </summary>
    public static (TargetSelector Selector, SelectionMode Mode)? Translate(ManifestObject owner, string target, string? manifestNamespace)
    {
        var before = owner.Context.ErrorCount;
        var selector = TranslateSelector(owner, JsonPaths.Property(target, "selector"), manifestNamespace);
        var mode = TranslateMode(owner, target);
        return selector is null || mode is null || owner.Context.ErrorCount > before ? null : (selector, mode);
    }

    /// <summary>The selection as a parameter value, in the same shape as the paths <see cref="Translate"/> maps to.</summary>
    public static JsonObject ToJson(TargetSelector selector, SelectionMode mode)
    {
        // The shape of a Faultline fault's selector, mode and value, empty parts left out as ExperimentSpecWriter does.
        var selection = new JsonObject();
        AddList(selection, "kinds", selector.Kinds);
        AddList(selection, "namespaces", selector.Namespaces);
        if (selector.Labels.Count > 0)
        {
            var labels = new JsonObject();
            foreach (var (key, value) in selector.Labels)
            {
                labels[key] = value;
            }

            selection["labels"] = labels;
        }

        AddList(selection, "targets", selector.Targets);
        var json = new JsonObject { ["selector"] = selection, ["mode"] = ModeName(mode.Kind) };
        if (mode.Value is { } count)
        {
            json["value"] = count;
        }

        return json;
    }

    private static TargetSelector? TranslateSelector(ManifestObject owner, string target, string? manifestNamespace)
    {
        var context = owner.Context;
        var selector = owner.Child("selector", required: true, "is required: Faultline will not guess which pods a fault may hit.");
        if (selector is null)
        {
            return null;
        }

        var before = context.ErrorCount;
        var namespaces = new List<string>();
        foreach (var item in selector.TextList("namespaces") ?? [])
        {
            context.Map(item.Path, JsonPaths.Index(JsonPaths.Property(target, "namespaces"), namespaces.Count));
            namespaces.Add(item.Value);
        }

        var labels = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var entry in selector.TextMap("labelSelectors") ?? [])
        {
            context.Map(entry.Path, JsonPaths.Property(JsonPaths.Property(target, "labels"), entry.Key));
            labels[entry.Key] = entry.Value;
        }

        var targets = TranslatePods(selector, JsonPaths.Property(target, "targets"));

        selector.Refuse("nodes", NotSupported);
        selector.Refuse("nodeSelectors", NotSupported);
        selector.Refuse("fieldSelectors", NotSupported);
        selector.Refuse("annotationSelectors", NotSupported);
        selector.Refuse("podPhaseSelectors", NotSupported);
        selector.Refuse("expressionSelectors", NotSupported);
        selector.RejectUnknown("a Chaos Mesh selector");

        // Chaos Mesh's admission webhook fills an empty namespace list with the chaos object's own namespace;
        // listed pods already name their namespace.
        if (namespaces.Count == 0 && targets.Count == 0)
        {
            if (manifestNamespace is null)
            {
                context.Error(
                    selector.PathOf("namespaces"),
                    "is required when metadata.namespace is not given: Chaos Mesh would select in whatever namespace the manifest is applied to, which a translation cannot know.");
            }
            else
            {
                context.Map("$.metadata.namespace", JsonPaths.Index(JsonPaths.Property(target, "namespaces"), 0));
                context.Warn(selector.PathOf("namespaces"), $"not given: Chaos Mesh selects in the manifest's own namespace, so the selection is limited to namespace '{manifestNamespace}'.");
                namespaces.Add(manifestNamespace);
            }
        }

        return context.ErrorCount > before ? null : new TargetSelector(["pod"], namespaces, labels, targets, null);
    }

    /// <summary><c>pods</c> maps a namespace to pod names; Faultline names a pod target <c>namespace/name</c>.</summary>
    private static List<string> TranslatePods(ManifestObject selector, string target)
    {
        var targets = new List<string>();
        if (selector.Take("pods") is not { } node || ManifestObject.Of(node, selector.PathOf("pods"), selector.Context) is not { } pods)
        {
            return targets;
        }

        foreach (var name in pods.Names.ToList())
        {
            var ns = name.Trim();
            if (ns.Length == 0)
            {
                pods.Take(name);
                selector.Context.Error(pods.PathOf(name), "keys must be namespaces, not blank.");
                continue;
            }

            var names = pods.TextList(name);
            if (names is not null && names.Count == 0)
            {
                selector.Context.Error(pods.PathOf(name), "must list at least one pod name.");
            }

            foreach (var pod in names ?? [])
            {
                selector.Context.Map(pod.Path, JsonPaths.Index(target, targets.Count));
                targets.Add($"{ns}/{pod.Value}");
            }
        }

        return targets;
    }

    private static SelectionMode? TranslateMode(ManifestObject owner, string target)
    {
        var context = owner.Context;
        var mode = owner.Text("mode", required: true, $"is required: {string.Join(", ", Modes)}.");
        var value = owner.Take("value");

        // The Chaos Mesh dashboard writes value: "" for modes that take none; an empty value says nothing.
        var hasValue = value is not null && !(value.GetValueKind() == JsonValueKind.String && value.GetValue<string>().Trim().Length == 0);
        if (mode is null)
        {
            return null;
        }

        SelectionKind kind;
        switch (mode)
        {
            case "one" or "all":
                if (hasValue)
                {
                    context.Warn(owner.PathOf("value"), $"ignored: mode '{mode}' takes no value.");
                }

                context.Map(owner.PathOf("mode"), JsonPaths.Property(target, "mode"));
                return mode == "one" ? SelectionMode.One : SelectionMode.All;
            case "fixed":
                kind = SelectionKind.Fixed;
                break;
            case "fixed-percent":
                kind = SelectionKind.FixedPercent;
                break;
            case "random-max-percent":
                kind = SelectionKind.RandomMaxPercent;
                break;
            default:
                context.Error(owner.PathOf("mode"), $"must be one of: {string.Join(", ", Modes)}.");
                return null;
        }

        context.Map(owner.PathOf("mode"), JsonPaths.Property(target, "mode"));
        var percent = kind != SelectionKind.Fixed;
        var expectation = percent
            ? $"must be a whole percentage from 1 to 100 for mode '{mode}' (Chaos Mesh writes it as a string, e.g. \"50\")."
            : $"must be a whole number of pods from 1 to {MaxFixed} for mode '{mode}' (Chaos Mesh writes it as a string, e.g. \"2\").";
        if (!hasValue)
        {
            context.Error(owner.PathOf("value"), $"is required: {expectation}");
            return null;
        }

        var count = owner.WholeNumber("value", 1, percent ? 100 : MaxFixed, expectation: expectation);
        if (count is null)
        {
            return null;
        }

        context.Map(owner.PathOf("value"), JsonPaths.Property(target, "value"));
        return new SelectionMode(kind, (int)count.Value);
    }

    private static string ModeName(SelectionKind kind) => kind switch
    {
        SelectionKind.One => "one",
        SelectionKind.All => "all",
        SelectionKind.Fixed => "fixed",
        SelectionKind.FixedPercent => "fixed-percent",
        SelectionKind.RandomMaxPercent => "random-max-percent",
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "Unknown selection kind."),
    };

    private static void AddList(JsonObject json, string name, IReadOnlyList<string> values)
    {
        if (values.Count > 0)
        {
            json[name] = new JsonArray([.. values.Select(value => (JsonNode?)JsonValue.Create(value))]);
        }
    }
}
