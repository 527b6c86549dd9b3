using System.Diagnostics.Metrics;

namespace Faultline.Observability.Internal;

/// <summary>Picks the aggregation for a published instrument from its generic type.</summary>
internal static class MetricStreamFactory
{
    /// <summary>A stream for the instrument, or null for instrument types this exporter does not know.</summary>
    public static MetricStream? TryCreate(Instrument instrument, int maxSeries)
    {
        var type = instrument.GetType();
        if (!type.IsGenericType)
        {
            return null;
        }

        var definition = type.GetGenericTypeDefinition();
        if (definition == typeof(Counter<>))
        {
            return new SumStream(instrument, InstrumentKind.Counter, maxSeries);
        }

        if (definition == typeof(UpDownCounter<>))
        {
            return new SumStream(instrument, InstrumentKind.UpDownCounter, maxSeries);
        }

        if (definition == typeof(Histogram<>))
        {
            return new HistogramStream(instrument, maxSeries);
        }

        if (definition == typeof(ObservableCounter<>))
        {
            return new LastValueStream(instrument, InstrumentKind.Counter, maxSeries);
        }

        if (definition == typeof(ObservableUpDownCounter<>))
        {
            return new LastValueStream(instrument, InstrumentKind.UpDownCounter, maxSeries);
        }

        if (definition == typeof(Gauge<>) || definition == typeof(ObservableGauge<>))
        {
            return new LastValueStream(instrument, InstrumentKind.Gauge, maxSeries);
        }

        return null;
    }
}
