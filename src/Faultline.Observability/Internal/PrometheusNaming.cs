using System.Collections.Frozen;
using System.Text;

namespace Faultline.Observability.Internal;

/// <summary>
/// The OpenTelemetry → Prometheus name translation (the "Prometheus and OpenMetrics compatibility" rules):
/// invalid characters become <c>_</c>, the UCUM unit becomes a word suffix, counters end in <c>_total</c>.
/// Following the rules rather than inventing names keeps dashboards written for the OpenTelemetry exporter working.
/// </summary>
internal static class PrometheusNaming
{
    private const string TotalSuffix = "_total";

    // UCUM units the compatibility spec names, spelled out the way Prometheus base-unit names are.
    private static readonly FrozenDictionary<string, string> Units = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["d"] = "days",
        ["h"] = "hours",
        ["min"] = "minutes",
        ["s"] = "seconds",
        ["ms"] = "milliseconds",
        ["us"] = "microseconds",
        ["ns"] = "nanoseconds",
        ["By"] = "bytes",
        ["KiBy"] = "kibibytes",
        ["MiBy"] = "mebibytes",
        ["GiBy"] = "gibibytes",
        ["TiBy"] = "tibibytes",
        ["KBy"] = "kilobytes",
        ["MBy"] = "megabytes",
        ["GBy"] = "gigabytes",
        ["TBy"] = "terabytes",
        ["m"] = "meters",
        ["V"] = "volts",
        ["A"] = "amperes",
        ["J"] = "joules",
        ["W"] = "watts",
        ["g"] = "grams",
        ["Cel"] = "celsius",
        ["Hz"] = "hertz",
        ["%"] = "percent",
        // A dimensionless "1" carries no word; gauges get "_ratio" separately.
        ["1"] = string.Empty,
    }.ToFrozenDictionary(StringComparer.Ordinal);

    // The denominator of a rate unit such as "By/s" uses the singular ("bytes_per_second").
    private static readonly FrozenDictionary<string, string> PerUnits = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["s"] = "second",
        ["m"] = "minute",
        ["min"] = "minute",
        ["h"] = "hour",
        ["d"] = "day",
        ["w"] = "week",
        ["mo"] = "month",
        ["y"] = "year",
    }.ToFrozenDictionary(StringComparer.Ordinal);

    /// <summary>The metric family name for an instrument, with unit and type suffixes.</summary>
    public static string MetricName(string instrumentName, string? unit, InstrumentKind kind)
    {
        var name = SanitizeMetricName(instrumentName);

        // "_total" is re-added last so that the unit lands before it (foo_seconds_total, not foo_total_seconds).
        if (kind == InstrumentKind.Counter && name.Length > TotalSuffix.Length && name.EndsWith(TotalSuffix, StringComparison.Ordinal))
        {
            name = name[..^TotalSuffix.Length];
        }

        var unitSuffix = UnitSuffix(unit, kind);
        if (unitSuffix.Length > 0 && !name.EndsWith("_" + unitSuffix, StringComparison.Ordinal) && name != unitSuffix)
        {
            name = name + "_" + unitSuffix;
        }

        return kind == InstrumentKind.Counter ? name + TotalSuffix : name;
    }

    /// <summary>
    /// Keeps <c>[a-zA-Z0-9_]</c>, turns every other character into <c>_</c>, collapses runs of <c>_</c> and trims
    /// them at both ends. Colons are legal in Prometheus but reserved for recording rules, so they are replaced too.
    /// </summary>
    public static string SanitizeMetricName(string name)
    {
        var builder = new StringBuilder(name.Length + 1);
        foreach (var c in name)
        {
            var mapped = char.IsAsciiLetterOrDigit(c) ? c : '_';
            if (mapped == '_' && (builder.Length == 0 || builder[^1] == '_'))
            {
                continue;
            }

            builder.Append(mapped);
        }

        if (builder.Length > 0 && builder[^1] == '_')
        {
            builder.Length--;
        }

        if (builder.Length == 0)
        {
            return "_";
        }

        if (char.IsAsciiDigit(builder[0]))
        {
            builder.Insert(0, '_');
        }

        return builder.ToString();
    }

    /// <summary>
    /// Label names allow <c>[a-zA-Z0-9_]</c> and may not start with a digit; names starting with <c>__</c> are
    /// reserved for Prometheus itself. Both get a <c>key</c> prefix, as the compatibility spec asks.
    /// </summary>
    public static string SanitizeLabelName(string name)
    {
        if (name.Length == 0)
        {
            return "key_";
        }

        var chars = new char[name.Length];
        for (var i = 0; i < name.Length; i++)
        {
            var c = name[i];
            chars[i] = char.IsAsciiLetterOrDigit(c) ? c : '_';
        }

        var sanitized = new string(chars);
        if (char.IsAsciiDigit(sanitized[0]))
        {
            return "key_" + sanitized;
        }

        return sanitized.StartsWith("__", StringComparison.Ordinal) ? "key" + sanitized : sanitized;
    }

    /// <summary>
    /// The word form of a UCUM unit: <c>s</c> → <c>seconds</c>, <c>By/s</c> → <c>bytes_per_second</c>; curly-brace
    /// annotations such as <c>{request}</c> only name what is counted and are dropped.
    /// </summary>
    public static string UnitSuffix(string? unit, InstrumentKind kind)
    {
        if (string.IsNullOrWhiteSpace(unit))
        {
            return string.Empty;
        }

        if (unit == "1")
        {
            return kind == InstrumentKind.Gauge ? "ratio" : string.Empty;
        }

        var stripped = RemoveAnnotations(unit).Trim();
        if (stripped.Length == 0)
        {
            return string.Empty;
        }

        var slash = stripped.IndexOf('/', StringComparison.Ordinal);
        string suffix;
        if (slash < 0)
        {
            suffix = MapUnit(stripped);
        }
        else
        {
            var main = MapUnit(stripped[..slash].Trim());
            var perPart = stripped[(slash + 1)..].Trim();
            var per = PerUnits.TryGetValue(perPart, out var perWord) ? perWord : perPart;
            suffix = per.Length == 0 ? main : (main.Length == 0 ? "per_" + per : main + "_per_" + per);
        }

        var sanitized = SanitizeMetricName(suffix);
        return sanitized == "_" ? string.Empty : sanitized.TrimStart('_');
    }

    private static string MapUnit(string unit) => Units.TryGetValue(unit, out var word) ? word : unit;

    private static string RemoveAnnotations(string unit)
    {
        if (!unit.Contains('{', StringComparison.Ordinal))
        {
            return unit;
        }

        var builder = new StringBuilder(unit.Length);
        var depth = 0;
        foreach (var c in unit)
        {
            if (c == '{')
            {
                depth++;
            }
            else if (c == '}' && depth > 0)
            {
                depth--;
            }
            else if (depth == 0)
            {
                builder.Append(c);
            }
        }

        return builder.ToString();
    }
}
