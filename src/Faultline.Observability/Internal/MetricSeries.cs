namespace Faultline.Observability.Internal;

/// <summary>One scraped series of a family: a value, or for histograms per-bucket counts and a sum.</summary>
internal sealed class MetricSeries(string labels)
{
    /// <summary>Rendered labels without braces; empty when the series has no tags.</summary>
    public string Labels { get; } = labels;

    public double Value { get; set; }

    /// <summary>Non-cumulative counts, one per boundary plus <c>+Inf</c>; null for counters and gauges.</summary>
    public long[]? BucketCounts { get; set; }

    public double Sum { get; set; }
}
