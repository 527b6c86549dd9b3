using System.Globalization;
using System.Net;
using System.Text.Json;
using Faultline.Sdk.Validation;

namespace Faultline.Plugins.Network.Actions;

/// <summary>
/// The parameters of one network fault, read strictly: every field of every action is known, every error is
/// reported with its path, and limits keep faults sane (a delay of an hour is a mistake, not an experiment).
/// Field names follow Chaos Mesh's NetworkChaos, as the manifest translator writes them.
/// </summary>
public sealed record NetworkParameters(
    NetworkAction Action,
    string? Interface,
    Direction Direction,
    IReadOnlyList<IPNetwork> Destinations,
    IReadOnlyList<int> Ports,
    TimeSpan Latency,
    TimeSpan Jitter,
    double Correlation,
    double Percent,
    ReorderParameters? Reorder,
    long RateBytesPerSecond,
    long LimitBytes,
    long BurstBytes)
{
    public static readonly TimeSpan MaxLatency = TimeSpan.FromSeconds(10);

    private static readonly string[] Common = ["interface", "direction", "externalTargets", "ports", "target"];

    private static readonly Dictionary<NetworkAction, string[]> Fields = new()
    {
        [NetworkAction.Delay] = ["latency", "jitter", "correlation", "reorder"],
        [NetworkAction.Loss] = ["percent", "correlation"],
        [NetworkAction.Duplicate] = ["percent", "correlation"],
        [NetworkAction.Corrupt] = ["percent", "correlation"],
        [NetworkAction.Reorder] = ["percent", "correlation", "gap", "latency"],
        [NetworkAction.Bandwidth] = ["rate", "limit", "burst", "peakrate", "minburst"],
        [NetworkAction.Partition] = [],
    };

    /// <summary>The filters (destinations, ports) restrict the fault to some traffic.</summary>
    public bool IsFiltered => Destinations.Count > 0 || Ports.Count > 0;

    public static NetworkParameters? Read(NetworkAction action, JsonElement json, List<ParameterError> errors)
    {
        ArgumentNullException.ThrowIfNull(errors);
        if (json.ValueKind != JsonValueKind.Object)
        {
            errors.Add(new ParameterError("$", "must be an object."));
            return null;
        }

        var before = errors.Count;
        var known = Common.Concat(Fields[action]).ToHashSet(StringComparer.Ordinal);
        foreach (var property in json.EnumerateObject().Where(p => !known.Contains(p.Name)))
        {
            errors.Add(new ParameterError($"$.{property.Name}", $"is not a parameter of network.{NetworkActions.Name(action)}; it takes {string.Join(", ", known.Order(StringComparer.Ordinal))}."));
        }

        var iface = Text(json, "interface", errors);
        if (iface is not null && !InterfaceName(iface))
        {
            errors.Add(new ParameterError("$.interface", "must be an interface name (1 to 15 characters, no spaces or slashes)."));
        }

        var direction = Text(json, "direction", errors) switch
        {
            null or "to" => Direction.To,
            "from" => Direction.From,
            "both" => Direction.Both,
            var other => Invalid(errors, "$.direction", $"'{other}' must be to, from or both.", Direction.To),
        };

        var destinations = new List<IPNetwork>();
        foreach (var (text, index) in TextList(json, "externalTargets", errors).Select((t, i) => (t, i)))
        {
            if (ParseNetwork(text) is { } network)
            {
                destinations.Add(network);
            }
            else
            {
                errors.Add(new ParameterError($"$.externalTargets[{index.ToString(CultureInfo.InvariantCulture)}]", $"'{text}' is not an IP address or CIDR (10.0.0.0/8, 2001:db8::/32); host names are not resolved."));
            }
        }

        var ports = new List<int>();
        if (json.TryGetProperty("ports", out var portList))
        {
            if (portList.ValueKind != JsonValueKind.Array)
            {
                errors.Add(new ParameterError("$.ports", "must be a list of port numbers."));
            }
            else
            {
                var i = 0;
                foreach (var port in portList.EnumerateArray())
                {
                    if (port.ValueKind == JsonValueKind.Number && port.TryGetInt32(out var number) && number is >= 1 and <= 65535)
                    {
                        ports.Add(number);
                    }
                    else
                    {
                        errors.Add(new ParameterError($"$.ports[{i.ToString(CultureInfo.InvariantCulture)}]", "must be a port number from 1 to 65535."));
                    }

                    i++;
                }
            }
        }

        if (json.TryGetProperty("target", out _))
        {
            errors.Add(new ParameterError("$.target", "selecting the other side by pods needs Kubernetes discovery, which is not available yet; name it with externalTargets (CIDRs) instead."));
        }

        var latency = TimeSpan.Zero;
        var jitter = TimeSpan.Zero;
        var percent = 0d;
        ReorderParameters? reorder = null;
        long rate = 0;
        long limit = 0;
        long burst = 0;
        var correlation = Number(json, "correlation", 0, 100, errors) ?? 0;
        switch (action)
        {
            case NetworkAction.Delay:
                latency = Duration(json, "latency", required: true, MaxLatency, errors) ?? TimeSpan.Zero;
                jitter = Duration(json, "jitter", required: false, MaxLatency, errors) ?? TimeSpan.Zero;
                if (jitter > latency && latency > TimeSpan.Zero)
                {
                    errors.Add(new ParameterError("$.jitter", "must not exceed the latency (a negative delay is impossible)."));
                }

                if (json.TryGetProperty("reorder", out var nested))
                {
                    reorder = ReadReorder(nested, "$.reorder", errors);
                }

                break;
            case NetworkAction.Reorder:
                reorder = ReadReorder(json, "$", errors);
                latency = Duration(json, "latency", required: false, MaxLatency, errors) ?? TimeSpan.FromMilliseconds(10);
                break;
            case NetworkAction.Loss or NetworkAction.Duplicate or NetworkAction.Corrupt:
                percent = Number(json, "percent", 0, 100, errors, required: true) ?? 0;
                if (percent == 0 && errors.Count == before)
                {
                    errors.Add(new ParameterError("$.percent", "must be above 0: a fault of 0% changes nothing."));
                }

                break;
            case NetworkAction.Bandwidth:
                rate = Rate(json, errors) ?? 0;
                limit = (long)(Number(json, "limit", 1, uint.MaxValue, errors, required: true) ?? 0);
                burst = (long)(Number(json, "burst", 1, uint.MaxValue, errors, required: true) ?? 0);
                Number(json, "peakrate", 0, long.MaxValue, errors);
                Number(json, "minburst", 0, uint.MaxValue, errors);
                break;
        }

        return errors.Count > before
            ? null
            : new NetworkParameters(action, iface, direction, destinations, ports, latency, jitter, correlation, percent, reorder, rate, limit, burst);
    }

    private static ReorderParameters? ReadReorder(JsonElement json, string path, List<ParameterError> errors)
    {
        if (json.ValueKind != JsonValueKind.Object)
        {
            errors.Add(new ParameterError(path, "must be an object with percent, correlation and gap."));
            return null;
        }

        var percent = Number(json, "percent", 0, 100, errors, required: true, path) ?? 0;
        var correlation = Number(json, "correlation", 0, 100, errors, path: path) ?? 0;
        var gap = (int)(Number(json, "gap", 0, int.MaxValue, errors, path: path) ?? 0);
        return new ReorderParameters(percent, correlation, gap);
    }

    private static long? Rate(JsonElement json, List<ParameterError> errors)
    {
        var text = Text(json, "rate", errors);
        if (text is null)
        {
            errors.Add(new ParameterError("$.rate", "is required, e.g. \"1mbps\" (bytes per second, as Chaos Mesh)."));
            return null;
        }

        var units = new (string Suffix, long Factor)[] { ("tbps", 1_000_000_000_000), ("gbps", 1_000_000_000), ("mbps", 1_000_000), ("kbps", 1_000), ("bps", 1) };
        foreach (var (suffix, factor) in units)
        {
            if (text.EndsWith(suffix, StringComparison.OrdinalIgnoreCase)
                && long.TryParse(text.AsSpan(0, text.Length - suffix.Length), NumberStyles.None, CultureInfo.InvariantCulture, out var value)
                && value > 0)
            {
                return value * factor;
            }
        }

        errors.Add(new ParameterError("$.rate", $"'{text}' must be a whole number above 0 with a unit bps, kbps, mbps, gbps or tbps (bytes per second)."));
        return null;
    }

    private static string? Text(JsonElement json, string name, List<ParameterError> errors)
    {
        if (!json.TryGetProperty(name, out var value))
        {
            return null;
        }

        if (value.ValueKind == JsonValueKind.String)
        {
            return value.GetString();
        }

        errors.Add(new ParameterError($"$.{name}", "must be a string."));
        return null;
    }

    private static List<string> TextList(JsonElement json, string name, List<ParameterError> errors)
    {
        if (!json.TryGetProperty(name, out var value))
        {
            return [];
        }

        if (value.ValueKind != JsonValueKind.Array || value.EnumerateArray().Any(item => item.ValueKind != JsonValueKind.String))
        {
            errors.Add(new ParameterError($"$.{name}", "must be a list of strings."));
            return [];
        }

        return [.. value.EnumerateArray().Select(item => item.GetString()!)];
    }

    private static double? Number(JsonElement json, string name, double min, double max, List<ParameterError> errors, bool required = false, string path = "$")
    {
        var field = $"{path}.{name}";
        if (!json.TryGetProperty(name, out var value))
        {
            if (required)
            {
                errors.Add(new ParameterError(field, "is required."));
            }

            return null;
        }

        // Chaos Mesh writes numbers as strings ("100"); both are accepted.
        double number;
        if (value.ValueKind == JsonValueKind.Number)
        {
            number = value.GetDouble();
        }
        else if (value.ValueKind == JsonValueKind.String && double.TryParse(value.GetString(), NumberStyles.Float, CultureInfo.InvariantCulture, out var parsed))
        {
            number = parsed;
        }
        else
        {
            errors.Add(new ParameterError(field, "must be a number."));
            return null;
        }

        if (double.IsNaN(number) || number < min || number > max)
        {
            errors.Add(new ParameterError(field, $"must be between {min.ToString(CultureInfo.InvariantCulture)} and {max.ToString(CultureInfo.InvariantCulture)}."));
            return null;
        }

        return number;
    }

    private static TimeSpan? Duration(JsonElement json, string name, bool required, TimeSpan max, List<ParameterError> errors)
    {
        var text = Text(json, name, errors);
        if (text is null)
        {
            if (required && !json.TryGetProperty(name, out _))
            {
                errors.Add(new ParameterError($"$.{name}", "is required, e.g. \"200ms\"."));
            }

            return null;
        }

        if (!DurationText.TryParse(text, out var duration))
        {
            errors.Add(new ParameterError($"$.{name}", $"'{text}' is not a duration such as 200ms or 1.5s (negative values are not durations)."));
            return null;
        }

        if (duration > max)
        {
            errors.Add(new ParameterError($"$.{name}", $"must be at most {max.TotalSeconds.ToString(CultureInfo.InvariantCulture)}s; longer is an outage, not a delay (use network.partition)."));
            return null;
        }

        return duration;
    }

    private static IPNetwork? ParseNetwork(string text) =>
        IPNetwork.TryParse(text, out var network) ? network
        : IPAddress.TryParse(text, out var address) ? new IPNetwork(address, address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork ? 32 : 128)
        : null;

    private static bool InterfaceName(string name) =>
        name.Length is >= 1 and <= 15 && name.All(c => c is not (' ' or '/' or '\t' or '\n' or ':') && !char.IsControl(c));

    private static T Invalid<T>(List<ParameterError> errors, string path, string message, T fallback)
    {
        errors.Add(new ParameterError(path, message));
        return fallback;
    }
}

/// <summary>netem's reorder: a share of packets sent at once, the rest delayed (every gap-th packet with gap).</summary>
public sealed record ReorderParameters(double Percent, double Correlation, int Gap);
