namespace Faultline.Observability.Internal;

/// <summary>
/// Turns a list of meter names into a predicate. An entry ending in <c>.</c> or <c>*</c> is a prefix, so
/// <c>"Faultline."</c> and <c>"Faultline.*"</c> both take every meter below <c>Faultline</c> without taking
/// an unrelated <c>FaultlineX</c>. Matching ignores case, as OpenTelemetry's <c>AddMeter</c> does.
/// </summary>
internal static class MeterNameFilter
{
    public static Func<string, bool> Create(IEnumerable<string> meterNames)
    {
        ArgumentNullException.ThrowIfNull(meterNames);

        var exact = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        var prefixes = new List<string>();
        foreach (var entry in meterNames)
        {
            if (string.IsNullOrWhiteSpace(entry))
            {
                continue;
            }

            if (entry.EndsWith('*'))
            {
                prefixes.Add(entry[..^1]);
            }
            else if (entry.EndsWith('.'))
            {
                prefixes.Add(entry);
            }
            else
            {
                exact.Add(entry);
            }
        }

        var prefixArray = prefixes.ToArray();
        return name =>
        {
            if (exact.Contains(name))
            {
                return true;
            }

            foreach (var prefix in prefixArray)
            {
                if (name.StartsWith(prefix, StringComparison.OrdinalIgnoreCase))
                {
                    return true;
                }
            }

            return false;
        };
    }
}
