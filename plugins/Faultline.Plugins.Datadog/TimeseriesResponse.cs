using System.Globalization;
using System.Text.Json;
using Faultline.Sdk.Metrics;

namespace Faultline.Plugins.Datadog;

/// <summary>
/// Reads the answer of <c>GET /api/v1/query</c> (https://docs.datadoghq.com/api/latest/metrics/query-timeseries-points/,
/// MetricsQueryResponse): <c>status</c> ("ok" or "error"), <c>error</c>, and <c>series[]</c>, each with
/// <c>metric</c>, <c>scope</c>, <c>expression</c>, <c>tag_set[]</c> and <c>pointlist</c> of
/// <c>[milliseconds since the epoch, value or null]</c>. A null value is a gap with no data, so it is skipped, never
/// read as zero; a series with only gaps, and an empty series list, are no data. Anything else that does not
/// have the documented shape is an error, not an empty result.
/// </summary>
internal static class TimeseriesResponse
{
    public static IReadOnlyList<MetricSeries> Read(JsonElement root, string query)
    {
        if (root.ValueKind != JsonValueKind.Object)
        {
            throw Malformed("$", "is not an object");
        }

        if (root.TryGetProperty("status", out var status) && status.ValueKind == JsonValueKind.String && status.GetString() != "ok")
        {
            var error = root.TryGetProperty("error", out var text) && text.ValueKind == JsonValueKind.String ? text.GetString() : "(no error text)";
            throw new MetricProviderException($"Datadog answered the query '{query}' with status '{status.GetString()}': {error}");
        }

        if (!root.TryGetProperty("series", out var series) || series.ValueKind == JsonValueKind.Null)
        {
            return [];
        }

        if (series.ValueKind != JsonValueKind.Array)
        {
            throw Malformed("$.series", "is not an array");
        }

        var result = new List<MetricSeries>();
        var index = 0;
        foreach (var item in series.EnumerateArray())
        {
            var path = string.Create(CultureInfo.InvariantCulture, $"$.series[{index++}]");
            if (item.ValueKind != JsonValueKind.Object)
            {
                throw Malformed(path, "is not an object");
            }

            var points = Points(item, path);
            if (points.Count > 0)
            {
                result.Add(new MetricSeries(Labels(item, query), points));
            }
        }

        return result;
    }

    private static List<MetricPoint> Points(JsonElement series, string path)
    {
        if (!series.TryGetProperty("pointlist", out var pointlist) || pointlist.ValueKind == JsonValueKind.Null)
        {
            return [];
        }

        if (pointlist.ValueKind != JsonValueKind.Array)
        {
            throw Malformed($"{path}.pointlist", "is not an array");
        }

        var points = new List<MetricPoint>();
        var index = 0;
        foreach (var point in pointlist.EnumerateArray())
        {
            var pointPath = string.Create(CultureInfo.InvariantCulture, $"{path}.pointlist[{index++}]");
            if (point.ValueKind != JsonValueKind.Array || point.GetArrayLength() < 2 || point[0].ValueKind != JsonValueKind.Number)
            {
                throw Malformed(pointPath, "is not [timestamp in ms, value]");
            }

            var value = point[1];
            if (value.ValueKind == JsonValueKind.Null)
            {
                continue;
            }

            if (value.ValueKind != JsonValueKind.Number)
            {
                throw Malformed(pointPath, "has a value that is neither a number nor null");
            }

            // Datadog writes timestamps as floats (1575317847000.0); they are whole milliseconds.
            var milliseconds = point[0].GetDouble();
            if (!double.IsFinite(milliseconds) || milliseconds < 0 || milliseconds > DateTimeOffset.MaxValue.ToUnixTimeMilliseconds())
            {
                throw Malformed(pointPath, "has a timestamp out of range");
            }

            points.Add(new MetricPoint(DateTimeOffset.FromUnixTimeMilliseconds((long)milliseconds), value.GetDouble()));
        }

        // Datadog sends them in order; sorted anyway, since "latest" and "last" depend on it.
        points.Sort((a, b) => a.Timestamp.CompareTo(b.Timestamp));
        return points;
    }

    /// <summary>
    /// Each tag of <c>tag_set</c> as a label (<c>host:web-1</c> becomes host=web-1, a bare tag an empty value), then
    /// <c>metric</c>, <c>scope</c>, <c>expression</c> and the asked <c>query</c>, which win over a tag of the same name.
    /// </summary>
    private static Dictionary<string, string> Labels(JsonElement series, string query)
    {
        var labels = new Dictionary<string, string>(StringComparer.Ordinal);
        if (series.TryGetProperty("tag_set", out var tags) && tags.ValueKind == JsonValueKind.Array)
        {
            foreach (var tag in tags.EnumerateArray().Where(t => t.ValueKind == JsonValueKind.String).Select(t => t.GetString()!))
            {
                var colon = tag.IndexOf(':', StringComparison.Ordinal);
                labels[colon < 0 ? tag : tag[..colon]] = colon < 0 ? "" : tag[(colon + 1)..];
            }
        }

        foreach (var name in new[] { "metric", "scope", "expression" })
        {
            if (series.TryGetProperty(name, out var text) && text.ValueKind == JsonValueKind.String)
            {
                labels[name] = text.GetString()!;
            }
        }

        labels["query"] = query;
        return labels;
    }

    private static MetricProviderException Malformed(string path, string problem) =>
        new($"Datadog's answer to /api/v1/query is not the documented shape: {path} {problem}.");
}
