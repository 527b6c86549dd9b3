using System.Diagnostics.Metrics;

namespace Faultline.Observability.Internal;

/// <summary>
/// Gauges and all observable instruments: the measurement is the value itself (for ObservableCounter the
/// cumulative total the callback reports), so the newest one replaces the previous.
/// </summary>
internal sealed class LastValueStream(Instrument instrument, InstrumentKind kind, int maxSeries)
    : TaggedMetricStream<DoublePoint>(instrument, kind, maxSeries)
{
    public override void Record(double value, ReadOnlySpan<KeyValuePair<string, object?>> tags) => GetPoint(tags).Set(value);

    public override void CollectInto(MetricFamily family)
    {
        // Two series that meet under one label set (tags that sanitize alike) add up when they are parts of a
        // total, but for a gauge the sum of two readings means nothing, so one of them is kept.
        var additive = Kind != InstrumentKind.Gauge;
        foreach (var (tags, point) in Points)
        {
            family.AddValue(tags.Labels, point.Value, additive);
        }
    }

    protected override DoublePoint CreatePoint() => new();
}
