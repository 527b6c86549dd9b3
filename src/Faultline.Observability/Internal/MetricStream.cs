using System.Diagnostics.Metrics;

namespace Faultline.Observability.Internal;

/// <summary>
/// Aggregation state of one instrument. An instance is the <c>state</c> object handed to
/// <see cref="MeterListener.EnableMeasurementEvents"/>, so a measurement reaches it without any lookup.
/// </summary>
internal abstract class MetricStream
{
    protected MetricStream(Instrument instrument, InstrumentKind kind)
    {
        Instrument = instrument;
        Kind = kind;
        Name = PrometheusNaming.MetricName(instrument.Name, instrument.Unit, kind);
    }

    public Instrument Instrument { get; }

    public InstrumentKind Kind { get; }

    /// <summary>The Prometheus metric family name, suffixes included.</summary>
    public string Name { get; }

    public abstract void Record(double value, ReadOnlySpan<KeyValuePair<string, object?>> tags);

    /// <summary>
    /// Forgets all series before an observable instrument is read again, so that a tag set its callback stopped
    /// reporting disappears from the scrape instead of repeating its last value forever.
    /// </summary>
    public abstract void Reset();

    public abstract void CollectInto(MetricFamily family);
}
