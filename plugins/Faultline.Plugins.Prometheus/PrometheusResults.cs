using System.Text.Json;
using Faultline.Sdk.Metrics;

namespace Faultline.Plugins.Prometheus;

/// <summary>
/// Turns the <c>data</c> of a successful answer into results. An empty vector or matrix is an empty result (no
/// data), never a zero. Types that are no probe value (a string, a range vector for an instant, a native
/// histogram) are refused with what to write instead. A malformed answer throws <see cref="FormatException"/>,
/// <see cref="KeyNotFoundException"/> or <see cref="InvalidOperationException"/>, which the caller reports.
/// </summary>
internal static class PrometheusResults
{
    public static InstantResult Instant(JsonElement data, string source, string query)
    {
        var result = data.GetProperty("result");
        return data.GetProperty("resultType").GetString() switch
        {
            "vector" => new InstantResult([.. result.EnumerateArray().Select(sample => VectorSample(sample, source, query))]),
            "scalar" => new InstantResult([new MetricSample(new Dictionary<string, string>(), PrometheusValue.Timestamp(result[0]), PrometheusValue.Sample(result[1]))]),
            "matrix" => throw new MetricProviderException(
                $"{source} answered '{query}' with a range vector (matrix): a probe needs one value per series. " +
                "Wrap the range selector in a function over time, e.g. avg_over_time(...), rate(...) or max_over_time(...)."),
            "string" => throw new MetricProviderException($"{source} answered '{query}' with a string ({result[1]}), not a number."),
            var other => throw new FormatException($"resultType '{other}' is not one of vector, scalar, matrix or string."),
        };
    }

    public static RangeResult Range(JsonElement data, string source, string query)
    {
        var type = data.GetProperty("resultType").GetString();
        if (type != "matrix")
        {
            throw new FormatException($"a range query answered with resultType '{type}', not matrix.");
        }

        return new RangeResult([.. data.GetProperty("result").EnumerateArray().Select(series => new MetricSeries(Labels(series), Points(series, source, query)))]);
    }

    private static MetricSample VectorSample(JsonElement sample, string source, string query)
    {
        if (!sample.TryGetProperty("value", out var pair))
        {
            throw NotNumbers(sample, source, query);
        }

        var (timestamp, value) = Pair(pair);
        return new MetricSample(Labels(sample), timestamp, value);
    }

    private static List<MetricPoint> Points(JsonElement series, string source, string query)
    {
        if (!series.TryGetProperty("values", out var values))
        {
            throw NotNumbers(series, source, query);
        }

        return [.. values.EnumerateArray().Select(Pair).Select(point => new MetricPoint(point.Timestamp, point.Value))];
    }

    private static (DateTimeOffset Timestamp, double Value) Pair(JsonElement pair) =>
        pair.GetArrayLength() == 2
            ? (PrometheusValue.Timestamp(pair[0]), PrometheusValue.Sample(pair[1]))
            : throw new FormatException($"a sample is [time, \"value\"], not {pair}.");

    private static Exception NotNumbers(JsonElement sample, string source, string query) =>
        sample.TryGetProperty("histogram", out _) || sample.TryGetProperty("histograms", out _)
            ? new MetricProviderException(
                $"{source} answered '{query}' with native histograms, which are not numbers: " +
                "ask for a number of them, e.g. histogram_quantile(0.99, ...), histogram_count(...) or histogram_sum(...).")
            : new FormatException("a sample carries no value.");

    private static Dictionary<string, string> Labels(JsonElement sample)
    {
        var labels = new Dictionary<string, string>(StringComparer.Ordinal);
        if (sample.TryGetProperty("metric", out var metric))
        {
            foreach (var label in metric.EnumerateObject())
            {
                labels[label.Name] = label.Value.GetString() ?? string.Empty;
            }
        }

        return labels;
    }
}
