using System.Diagnostics.CodeAnalysis;
using System.Globalization;

namespace Faultline.Plugins.Http;

/// <summary>
/// A query of the http provider: <c>success_ratio</c>, <c>latency_p50_ms</c>, <c>latency_p90_ms</c>,
/// <c>latency_p99_ms</c>, <c>latency_max_ms</c>, <c>error_count</c> or <c>status:&lt;code&gt;</c>.
/// </summary>
internal sealed record ProbeQuery(ProbeMeasure Measure, int StatusCode = 0)
{
    public const string Names = "success_ratio, latency_p50_ms, latency_p90_ms, latency_p99_ms, latency_max_ms, error_count or status:<code> (100-599)";

    private const string StatusPrefix = "status:";

    public static bool TryParse(string? text, [NotNullWhen(true)] out ProbeQuery? query)
    {
        query = text?.Trim() switch
        {
            "success_ratio" => new ProbeQuery(ProbeMeasure.SuccessRatio),
            "latency_p50_ms" => new ProbeQuery(ProbeMeasure.LatencyP50),
            "latency_p90_ms" => new ProbeQuery(ProbeMeasure.LatencyP90),
            "latency_p99_ms" => new ProbeQuery(ProbeMeasure.LatencyP99),
            "latency_max_ms" => new ProbeQuery(ProbeMeasure.LatencyMax),
            "error_count" => new ProbeQuery(ProbeMeasure.ErrorCount),
            { } other when other.StartsWith(StatusPrefix, StringComparison.Ordinal) &&
                int.TryParse(other.AsSpan(StatusPrefix.Length), NumberStyles.None, CultureInfo.InvariantCulture, out var code) &&
                code is >= 100 and <= 599 => new ProbeQuery(ProbeMeasure.StatusCount, code),
            _ => null,
        };
        return query is not null;
    }

    /// <summary>The measured value over every request of one probe (never empty: a probe sends at least one).</summary>
    public double Evaluate(IReadOnlyList<ProbeOutcome> outcomes) => Measure switch
    {
        ProbeMeasure.SuccessRatio => (double)outcomes.Count(o => o.Succeeded) / outcomes.Count,
        ProbeMeasure.ErrorCount => outcomes.Count(o => !o.Succeeded),
        ProbeMeasure.StatusCount => outcomes.Count(o => o.Status == StatusCode),
        ProbeMeasure.LatencyP50 => Percentile(outcomes, 50),
        ProbeMeasure.LatencyP90 => Percentile(outcomes, 90),
        ProbeMeasure.LatencyP99 => Percentile(outcomes, 99),
        ProbeMeasure.LatencyMax => outcomes.Max(o => o.Latency.TotalMilliseconds),
        _ => throw new InvalidOperationException($"Unknown measure {Measure}."),
    };

    /// <summary>
    /// Nearest rank: the smallest latency that at least p% of the requests did not exceed. Always one of the
    /// measured values, never an interpolation between two, so p99 of a few requests is their slowest.
    /// </summary>
    private static double Percentile(IReadOnlyList<ProbeOutcome> outcomes, int percent)
    {
        var sorted = outcomes.Select(o => o.Latency.TotalMilliseconds).Order().ToArray();
        var rank = (int)Math.Ceiling(percent / 100d * sorted.Length);
        return sorted[Math.Clamp(rank, 1, sorted.Length) - 1];
    }
}
