using System.Diagnostics.Metrics;

namespace Faultline.Observability.Internal;

/// <summary>Histogram: counts per explicit bucket plus the sum of all measurements.</summary>
internal sealed class HistogramStream : TaggedMetricStream<HistogramPoint>
{
    public HistogramStream(Instrument instrument, int maxSeries)
        : base(instrument, InstrumentKind.Histogram, maxSeries) => Boundaries = HistogramBuckets.For(instrument);

    public double[] Boundaries { get; }

    public override void Record(double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        if (double.IsNaN(value))
        {
            return;
        }

        GetPoint(tags).Record(HistogramBuckets.IndexOf(Boundaries, value), value);
    }

    public override void CollectInto(MetricFamily family)
    {
        foreach (var (tags, point) in Points)
        {
            family.AddHistogram(tags.Labels, point.SnapshotBucketCounts(), point.Sum);
        }
    }

    // One bucket per boundary plus the +Inf overflow bucket.
    protected override HistogramPoint CreatePoint() => new(Boundaries.Length + 1);
}
