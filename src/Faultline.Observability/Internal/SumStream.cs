using System.Diagnostics.Metrics;

namespace Faultline.Observability.Internal;

/// <summary>Counter and UpDownCounter: every measurement is a delta added to the series' running total.</summary>
internal sealed class SumStream(Instrument instrument, InstrumentKind kind, int maxSeries)
    : TaggedMetricStream<DoublePoint>(instrument, kind, maxSeries)
{
    public override void Record(double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        // Prometheus reads any decrease of a counter as a process restart, so one negative Add would
        // distort rate() for the whole window; a monotonic counter therefore ignores negative deltas.
        if (double.IsNaN(value) || (Kind == InstrumentKind.Counter && value < 0))
        {
            return;
        }

        GetPoint(tags).Add(value);
    }

    public override void CollectInto(MetricFamily family)
    {
        foreach (var (tags, point) in Points)
        {
            family.AddValue(tags.Labels, point.Value, additive: true);
        }
    }

    protected override DoublePoint CreatePoint() => new();
}
