namespace Faultline.Sdk.Metrics;

/// <summary>The answer to a range query; empty means no data.</summary>
public sealed record RangeResult(IReadOnlyList<MetricSeries> Series)
{
    public bool IsEmpty => Series.Count == 0 || Series.All(s => s.Points.Count == 0);
}
