using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Faultline.Domain.Experiments.ChaosMesh;

/// <summary>
/// A NetworkChaos spec's action and action fields as a <c>network.*</c> injector and its parameters.
/// Durations stay strings as written (<c>"200ms"</c>); Chaos Mesh's numeric strings become numbers.
/// </summary>
internal static partial class NetworkChaosParameters
{
    private const string NotSupported = "is not supported yet by the Faultline network injectors.";

    private static readonly Dictionary<string, string> Injectors = new(StringComparer.Ordinal)
    {
        ["delay"] = "network.delay",
        ["loss"] = "network.loss",
        ["duplicate"] = "network.duplicate",
        ["corrupt"] = "network.corrupt",
        ["partition"] = "network.partition",
        ["bandwidth"] = "network.bandwidth",
    };

    /// <summary>The action blocks: each belongs to the action of the same name.</summary>
    private static readonly string[] Blocks = ["delay", "loss", "duplicate", "corrupt", "bandwidth"];

    private static readonly string[] Directions = ["to", "from", "both"];

    /// <summary>Returns the injector, or null when the action is missing or unknown (already reported).</summary>
    public static string? Translate(ManifestObject spec, ParameterWriter parameters, string? manifestNamespace)
    {
        var context = spec.Context;
        var action = spec.Text("action", required: true, $"is required: {string.Join(", ", Injectors.Keys)}.");
        string? injector = null;
        if (action is not null)
        {
            if (Injectors.TryGetValue(action, out injector))
            {
                context.Map(spec.PathOf("action"), FaultlinePaths.Injector);
            }
            else
            {
                context.Error(
                    spec.PathOf("action"),
                    action == "netem"
                        ? "'netem' (several effects at once) is not supported yet: write one NetworkChaos per effect (delay, loss, duplicate, corrupt)."
                        : $"must be one of: {string.Join(", ", Injectors.Keys)}.");
            }
        }

        foreach (var block in Blocks)
        {
            var node = spec.Take(block);
            if (injector is null)
            {
                // With no usable action, which block counts is unknown: the action error says it all.
                continue;
            }

            if (block != action)
            {
                if (node is not null)
                {
                    context.Error(spec.PathOf(block), $"only applies to action '{block}', and this action is '{action}'.");
                }

                continue;
            }

            if (node is null)
            {
                context.Error(spec.PathOf(block), $"is required for action '{action}'.");
                continue;
            }

            if (ManifestObject.Of(node, spec.PathOf(block), context) is not { } fields)
            {
                continue;
            }

            switch (block)
            {
                case "delay":
                    Delay(fields, parameters);
                    break;
                case "bandwidth":
                    Bandwidth(fields, parameters);
                    break;
                default:
                    Percentage(fields, block, parameters);
                    break;
            }
        }

        var direction = spec.Text("direction");
        if (direction is not null)
        {
            if (Directions.Contains(direction, StringComparer.Ordinal))
            {
                parameters.Set("direction", direction, spec.PathOf("direction"));
            }
            else
            {
                context.Error(spec.PathOf("direction"), $"must be one of: {string.Join(", ", Directions)}.");
            }
        }

        if (spec.TextList("externalTargets") is { } externalTargets)
        {
            parameters.SetList("externalTargets", externalTargets);
        }

        if (spec.Child("target") is { } target)
        {
            // The second side of a partition (or of a netem effect limited to some peers), selected like the first.
            if (PodSelection.Translate(target, JsonPaths.Property(parameters.Path, "target"), manifestNamespace) is { } selection)
            {
                parameters.Put("target", PodSelection.ToJson(selection.Selector, selection.Mode));
            }

            target.RejectUnknown("a Chaos Mesh network target");
        }

        spec.Refuse("device", NotSupported);
        spec.Refuse("targetDevice", NotSupported);
        spec.Refuse("remoteCluster", "is not supported: Faultline injects into the cluster its agents run in.");
        return injector;
    }

    private static void Delay(ManifestObject delay, ParameterWriter parameters)
    {
        if (delay.Duration("latency", required: true, allowZero: true) is { } latency)
        {
            parameters.Set("latency", latency.Text, latency.Path);
        }

        if (delay.Duration("jitter", allowZero: true) is { } jitter)
        {
            parameters.Set("jitter", jitter.Text, jitter.Path);
        }

        Correlation(delay, parameters);
        if (delay.Child("reorder") is { } reorder)
        {
            var nested = parameters.Nested("reorder");
            if (reorder.Number("reorder", 0, 100, required: true) is { } percent)
            {
                nested.Set("percent", percent, reorder.PathOf("reorder"));
            }

            Correlation(reorder, nested);
            if (reorder.WholeNumber("gap", 0, int.MaxValue) is { } gap)
            {
                nested.Set("gap", gap, reorder.PathOf("gap"));
            }

            reorder.RejectUnknown("a Chaos Mesh reorder spec");
        }

        delay.RejectUnknown("a Chaos Mesh delay spec");
    }

    /// <summary>loss, duplicate and corrupt: a percentage named after the action, and a correlation.</summary>
    private static void Percentage(ManifestObject block, string action, ParameterWriter parameters)
    {
        if (block.Number(action, 0, 100, required: true) is { } percent)
        {
            parameters.Set("percent", percent, block.PathOf(action));
        }

        Correlation(block, parameters);
        block.RejectUnknown($"a Chaos Mesh {action} spec");
    }

    private static void Bandwidth(ManifestObject bandwidth, ParameterWriter parameters)
    {
        if (bandwidth.Text("rate", required: true) is { } rate)
        {
            if (Rate().IsMatch(rate))
            {
                parameters.Set("rate", rate, bandwidth.PathOf("rate"));
            }
            else
            {
                bandwidth.Context.Error(bandwidth.PathOf("rate"), "must be a whole number with a unit bps, kbps, mbps, gbps or tbps (bytes per second), e.g. \"1mbps\".");
            }
        }

        if (bandwidth.WholeNumber("limit", 1, uint.MaxValue, required: true) is { } limit)
        {
            parameters.Set("limit", limit, bandwidth.PathOf("limit"));
        }

        if (bandwidth.WholeNumber("buffer", 1, uint.MaxValue, required: true) is { } buffer)
        {
            parameters.Set("burst", buffer, bandwidth.PathOf("buffer"));
        }

        if (bandwidth.WholeNumber("peakrate", 0, long.MaxValue) is { } peakrate)
        {
            parameters.Set("peakrate", peakrate, bandwidth.PathOf("peakrate"));
        }

        if (bandwidth.WholeNumber("minburst", 0, uint.MaxValue) is { } minburst)
        {
            parameters.Set("minburst", minburst, bandwidth.PathOf("minburst"));
        }

        bandwidth.RejectUnknown("a Chaos Mesh bandwidth spec");
    }

    private static void Correlation(ManifestObject block, ParameterWriter parameters)
    {
        if (block.Number("correlation", 0, 100) is { } correlation)
        {
            parameters.Set("correlation", JsonValue.Create(correlation), block.PathOf("correlation"));
        }
    }

    [GeneratedRegex("^[0-9]+(bps|kbps|mbps|gbps|tbps)$", RegexOptions.IgnoreCase)]
    private static partial Regex Rate();
}
