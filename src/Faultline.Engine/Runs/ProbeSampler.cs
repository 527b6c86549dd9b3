using System.Globalization;
using System.Text.Json;
using Faultline.Domain.Experiments;
using Faultline.Engine.Plugins;
using Faultline.Sdk.Metrics;

namespace Faultline.Engine.Runs;

/// <summary>
/// Measures steady-state probes and guardrails through the loaded metric providers. An empty result is not
/// zero and a provider that cannot answer is not a pass: both count as not held unless the probe says to
/// ignore an unreachable provider.
/// </summary>
public sealed class ProbeSampler(PluginCatalog catalog, TimeProvider time)
{
    public Task<ProbeReading> SampleAsync(Probe probe, string phase, double? baseline, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(probe);
        return SampleAsync(
            probe.Name, probe.Provider, probe.Query, probe.Configuration, probe.Tolerance, probe.Window, probe.Aggregation, probe.OnProviderError,
            phase, baseline, cancellationToken);
    }

    public Task<ProbeReading> SampleAsync(Guardrail guardrail, string phase, double? baseline, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(guardrail);
        return SampleAsync(
            guardrail.Name, guardrail.Provider, guardrail.Query, guardrail.Configuration, guardrail.Tolerance, guardrail.Window, guardrail.Aggregation, guardrail.OnProviderError,
            phase, baseline, cancellationToken);
    }

    private async Task<ProbeReading> SampleAsync(
        string name, string providerName, string query, JsonElement configuration, Tolerance tolerance, TimeSpan? window, Aggregation aggregation,
        ProviderErrorPolicy onError, string phase, double? baseline, CancellationToken cancellationToken)
    {
        var threshold = Describe(tolerance, baseline);
        var provider = catalog.FindMetricProvider(providerName);
        if (provider is null)
        {
            return Unreachable(name, phase, onError, baseline, threshold, $"no metric provider named '{providerName}' is loaded on this node");
        }

        var metricQuery = new MetricQuery(query, configuration);
        List<double> values;
        try
        {
            var now = time.GetUtcNow();
            if (window is { } span)
            {
                var step = TimeSpan.FromTicks(Math.Max(TimeSpan.TicksPerSecond, span.Ticks / 60));
                var range = await provider.QueryRangeAsync(metricQuery, new TimeWindow(now - span, now, step), cancellationToken);
                values = [.. range.Series.SelectMany(series => series.Points).OrderBy(point => point.Timestamp).Select(point => point.Value)];
            }
            else
            {
                var instant = await provider.QueryInstantAsync(metricQuery, now, cancellationToken);
                values = [.. instant.Samples.Select(sample => sample.Value)];
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
#pragma warning disable CA1031 // Any provider failure is a reading ("unreachable"), judged by the probe's policy.
        catch (Exception exception)
#pragma warning restore CA1031
        {
            return Unreachable(name, phase, onError, baseline, threshold, $"{providerName} failed: {exception.Message}");
        }

        if (values.Count == 0)
        {
            return Unreachable(name, phase, onError, baseline, threshold, $"{providerName} returned no samples for '{query}' (an empty result is not zero)");
        }

        var value = Aggregate(values, aggregation);
        var held = tolerance.Accepts(value, baseline);
        var detail = $"{Describe(aggregation, values.Count)} {Format(value)} {(held ? "within" : "outside")} {threshold}";
        return new ProbeReading(name, phase, value, held, false, detail, baseline, threshold);
    }

    private static ProbeReading Unreachable(string name, string phase, ProviderErrorPolicy onError, double? baseline, string threshold, string why) =>
        onError == ProviderErrorPolicy.Ignore
            ? new ProbeReading(name, phase, null, true, true, $"{why}; ignored (onProviderError: ignore)", baseline, threshold)
            : new ProbeReading(name, phase, null, false, true, $"{why}; counted as a breach (onProviderError: abort)", baseline, threshold);

    public static double Aggregate(IReadOnlyList<double> values, Aggregation aggregation)
    {
        ArgumentNullException.ThrowIfNull(values);
        return aggregation switch
        {
            Aggregation.Last => values[^1],
            Aggregation.Avg => values.Average(),
            Aggregation.Min => values.Min(),
            Aggregation.Max => values.Max(),
            Aggregation.P50 => Percentile(values, 50),
            Aggregation.P90 => Percentile(values, 90),
            Aggregation.P99 => Percentile(values, 99),
            _ => throw new ArgumentOutOfRangeException(nameof(aggregation), aggregation, null),
        };
    }

    // Nearest rank, as the http probe does: always a measured value.
    private static double Percentile(IReadOnlyList<double> values, int percent)
    {
        var sorted = values.Order().ToArray();
        var rank = (int)Math.Ceiling(percent / 100d * sorted.Length);
        return sorted[Math.Clamp(rank, 1, sorted.Length) - 1];
    }

    private static string Describe(Aggregation aggregation, int count) =>
        count == 1 ? "value" : $"{aggregation.ToString().ToLowerInvariant()} of {count.ToString(CultureInfo.InvariantCulture)} samples";

    public static string Describe(Tolerance tolerance, double? baseline)
    {
        ArgumentNullException.ThrowIfNull(tolerance);
        var parts = new List<string>();
        if (tolerance.LessThan is { } lt)
        {
            parts.Add($"< {Format(lt)}");
        }

        if (tolerance.LessThanOrEqual is { } le)
        {
            parts.Add($"<= {Format(le)}");
        }

        if (tolerance.GreaterThan is { } gt)
        {
            parts.Add($"> {Format(gt)}");
        }

        if (tolerance.GreaterThanOrEqual is { } ge)
        {
            parts.Add($">= {Format(ge)}");
        }

        if (tolerance.MaxIncreasePercent is { } up)
        {
            parts.Add($"at most {Format(up)}% above baseline {(baseline is { } b ? Format(b) : "(none)")}");
        }

        if (tolerance.MaxDecreasePercent is { } down)
        {
            parts.Add($"at most {Format(down)}% below baseline {(baseline is { } b ? Format(b) : "(none)")}");
        }

        return parts.Count == 0 ? "any value" : string.Join(" and ", parts);
    }

    public static string Format(double value) => value.ToString("0.####", CultureInfo.InvariantCulture);
}
