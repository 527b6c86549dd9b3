using System.Globalization;
using System.Text.Json;
using Faultline.Domain.Experiments;
using Faultline.Domain.Secrets;
using Faultline.Engine.Plugins;
using Faultline.Sdk.Metrics;
using Faultline.Storage.Secrets;

namespace Faultline.Engine.Runs;

/// <summary>
/// Measures steady-state probes and guardrails through the loaded metric providers. An empty result is not
/// zero and a provider that cannot answer is not a pass: both count as not held unless the probe says to
/// ignore an unreachable provider.
/// </summary>
/// <remarks>
/// Secret references in a configuration are resolved here, for one call, from the experiment's team only
/// (<see cref="SecretScope"/>): the resolved configuration goes to the provider and nowhere else, and every
/// detail written about the sample has the values masked. A secret that is missing or cannot be opened makes the
/// provider unreachable for that sample, with the reason and never a value.
/// </remarks>
public sealed class ProbeSampler(PluginCatalog catalog, TimeProvider time, ISecretReader? secrets = null)
{
    public Task<ProbeReading> SampleAsync(Probe probe, string phase, double? baseline, CancellationToken cancellationToken) =>
        SampleAsync(probe, SecretScope.None, phase, baseline, cancellationToken);

    public Task<ProbeReading> SampleAsync(Guardrail guardrail, string phase, double? baseline, CancellationToken cancellationToken) =>
        SampleAsync(guardrail, SecretScope.None, phase, baseline, cancellationToken);

    public Task<ProbeReading> SampleAsync(Probe probe, SecretScope scope, string phase, double? baseline, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(probe);
        return SampleAsync(
            new ProbeCall(probe.Name, probe.Provider, probe.Query, probe.Configuration, probe.Tolerance, probe.Window, probe.Aggregation, probe.OnProviderError),
            scope, phase, baseline, cancellationToken);
    }

    public Task<ProbeReading> SampleAsync(Guardrail guardrail, SecretScope scope, string phase, double? baseline, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(guardrail);
        return SampleAsync(
            new ProbeCall(guardrail.Name, guardrail.Provider, guardrail.Query, guardrail.Configuration, guardrail.Tolerance, guardrail.Window, guardrail.Aggregation, guardrail.OnProviderError),
            scope, phase, baseline, cancellationToken);
    }

    private async Task<ProbeReading> SampleAsync(ProbeCall call, SecretScope scope, string phase, double? baseline, CancellationToken cancellationToken)
    {
        var references = SecretReferences.Find(call.Configuration, "config", null);
        if (references.Count == 0)
        {
            return await MeasureAsync(call, call.Configuration, phase, baseline, cancellationToken);
        }

        var (values, problem) = await ResolveAsync(references, scope, cancellationToken);
        if (problem is not null)
        {
            return Unreachable(call.Name, phase, call.OnError, baseline, Describe(call.Tolerance, baseline), problem);
        }

        var reading = await MeasureAsync(call, SecretReferences.Substitute(call.Configuration, values), phase, baseline, cancellationToken);
        return reading with { Detail = SecretRedaction.Redact(reading.Detail, values.Values) };
    }

    /// <summary>The values of the references from the scope's team, or why they cannot be had (never a value).</summary>
    private async Task<(IReadOnlyDictionary<string, string> Values, string? Problem)> ResolveAsync(
        IReadOnlyList<SecretReference> references, SecretScope scope, CancellationToken cancellationToken)
    {
        var empty = new Dictionary<string, string>(StringComparer.Ordinal);
        if (secrets is null || scope.TeamId is not { } teamId)
        {
            return (empty, $"secret '{references[0].Name}' (at {references[0].Path}) cannot be resolved: secrets belong to a team and this experiment has none");
        }

        IReadOnlyDictionary<string, string> values;
        try
        {
            values = await secrets.ReadValuesAsync(scope.OrganizationId, teamId, [.. references.Select(r => r.Name).Distinct(StringComparer.Ordinal)], cancellationToken);
        }
        catch (SecretDecryptionException exception)
        {
            return (empty, exception.Message);
        }

        var missing = references.Where(r => !values.ContainsKey(r.Name)).ToList();
        return missing.Count == 0
            ? (values, null)
            : (values, string.Join("; ", missing.Select(r => $"secret '{r.Name}' (at {r.Path}) does not exist in the experiment's team")));
    }

    private async Task<ProbeReading> MeasureAsync(ProbeCall call, JsonElement configuration, string phase, double? baseline, CancellationToken cancellationToken)
    {
        var (name, providerName, query, _, tolerance, window, aggregation, onError) = call;
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

    /// <summary>What one sample asks of a provider, for probes and guardrails alike.</summary>
    private sealed record ProbeCall(
        string Name, string Provider, string Query, JsonElement Configuration, Tolerance Tolerance, TimeSpan? Window, Aggregation Aggregation, ProviderErrorPolicy OnError);
}
