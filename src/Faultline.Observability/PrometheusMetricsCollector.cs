using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Text;
using Faultline.Observability.Internal;

namespace Faultline.Observability;

/// <summary>
/// Listens to <see cref="System.Diagnostics.Metrics"/> instruments and renders them in the Prometheus text
/// exposition format 0.0.4. Counters are cumulative from the moment the collector starts; observable instruments
/// are read on every <see cref="Collect"/>.
/// </summary>
/// <remarks>
/// Recording is lock-free: each instrument's state travels with the listener callback, and an existing series is
/// found from the measurement's tag span without allocating. Only scrapes take a lock, among themselves.
/// </remarks>
public sealed class PrometheusMetricsCollector : IDisposable
{
    /// <summary>The <c>Content-Type</c> of the text exposition format this collector writes.</summary>
    public const string ContentType = "text/plain; version=0.0.4; charset=utf-8";

    private readonly MeterListener _listener = new();
    private readonly ConcurrentDictionary<Instrument, MetricStream> _streams = new();
    private readonly Func<Meter, bool> _includeMeter;
    private readonly int _maxSeriesPerInstrument;
    private readonly Lock _collectLock = new();
    private volatile bool _disposed;

    /// <summary>Collects from the meters that <paramref name="options"/> names.</summary>
    public PrometheusMetricsCollector(PrometheusMetricsOptions options)
        : this(CreateFilter(options), options?.MaxSeriesPerInstrument ?? 0)
    {
    }

    /// <summary>
    /// Collects from meters with these names; an entry ending in <c>.</c> or <c>*</c> is a name prefix.
    /// </summary>
    public PrometheusMetricsCollector(IEnumerable<string> meterNames)
        : this(CreateFilter(meterNames), PrometheusMetricsOptions.DefaultMaxSeriesPerInstrument)
    {
    }

    /// <summary>Collects from every meter for which <paramref name="includeMeter"/> returns true.</summary>
    public PrometheusMetricsCollector(Func<Meter, bool> includeMeter)
        : this(includeMeter, PrometheusMetricsOptions.DefaultMaxSeriesPerInstrument)
    {
    }

    private PrometheusMetricsCollector(Func<Meter, bool> includeMeter, int maxSeriesPerInstrument)
    {
        ArgumentNullException.ThrowIfNull(includeMeter);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxSeriesPerInstrument, 1);
        _includeMeter = includeMeter;
        _maxSeriesPerInstrument = maxSeriesPerInstrument;

        _listener.InstrumentPublished = OnInstrumentPublished;
        _listener.MeasurementsCompleted = OnMeasurementsCompleted;

        // One callback per numeric type the Metrics API allows. The stream arrives as the state object,
        // so the hot path is a type check and a virtual call.
        _listener.SetMeasurementEventCallback<double>(static (_, value, tags, state) => Record(state, value, tags));
        _listener.SetMeasurementEventCallback<float>(static (_, value, tags, state) => Record(state, value, tags));
        _listener.SetMeasurementEventCallback<long>(static (_, value, tags, state) => Record(state, value, tags));
        _listener.SetMeasurementEventCallback<int>(static (_, value, tags, state) => Record(state, value, tags));
        _listener.SetMeasurementEventCallback<short>(static (_, value, tags, state) => Record(state, value, tags));
        _listener.SetMeasurementEventCallback<byte>(static (_, value, tags, state) => Record(state, value, tags));
        _listener.SetMeasurementEventCallback<decimal>(static (_, value, tags, state) => Record(state, (double)value, tags));

        // Start publishes the instruments that already exist; later ones arrive as they are created.
        _listener.Start();
    }

    /// <summary>Reads the observable instruments and renders every included instrument as exposition text.</summary>
    public string Collect()
    {
        var output = new StringBuilder(4096);
        lock (_collectLock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            ObserveInstruments();
            PrometheusTextWriter.Write(output, BuildFamilies());
        }

        return output.ToString();
    }

    /// <summary>Writes <see cref="Collect"/>'s text to <paramref name="writer"/>; flushing is left to the caller.</summary>
    public async Task WriteAsync(TextWriter writer, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(writer);
        await writer.WriteAsync(Collect().AsMemory(), cancellationToken);
    }

    /// <summary>Writes <see cref="Collect"/>'s text to <paramref name="stream"/> as UTF-8 without a byte order mark.</summary>
    public async Task WriteAsync(Stream stream, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(stream);

        // The text is rendered in memory first: the collect lock must not be held across awaits, and a slow
        // client then cannot hold up other scrapes.
        var bytes = Encoding.UTF8.GetBytes(Collect());
        await stream.WriteAsync(bytes, cancellationToken);
    }

    public void Dispose()
    {
        lock (_collectLock)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
        }

        _listener.Dispose();
        _streams.Clear();
    }

    private static void Record(object? state, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        if (state is MetricStream stream)
        {
            stream.Record(value, tags);
        }
    }

    private static Func<Meter, bool> CreateFilter(PrometheusMetricsOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var byName = MeterNameFilter.Create(options.Meters);
        var extra = options.MeterFilter;
        return extra is null ? meter => byName(meter.Name) : meter => byName(meter.Name) || extra(meter);
    }

    private static Func<Meter, bool> CreateFilter(IEnumerable<string> meterNames)
    {
        var byName = MeterNameFilter.Create(meterNames);
        return meter => byName(meter.Name);
    }

    private void OnInstrumentPublished(Instrument instrument, MeterListener listener)
    {
        if (_disposed || !_includeMeter(instrument.Meter))
        {
            return;
        }

        var stream = MetricStreamFactory.TryCreate(instrument, _maxSeriesPerInstrument);
        if (stream is null)
        {
            return;
        }

        _streams[instrument] = stream;
        listener.EnableMeasurementEvents(instrument, stream);
    }

    // Called when an instrument's meter is disposed (or this listener is): its series go with it, since
    // nothing will ever update them again.
    private void OnMeasurementsCompleted(Instrument instrument, object? state) => _streams.TryRemove(instrument, out _);

    private void ObserveInstruments()
    {
        foreach (var stream in _streams.Values)
        {
            if (stream.Instrument.IsObservable)
            {
                stream.Reset();
            }
        }

        try
        {
            _listener.RecordObservableInstruments();
        }
        catch (AggregateException)
        {
            // The listener has already read every other instrument before rethrowing what callbacks threw.
            // One broken callback must not blank the whole scrape: its series are simply missing this time.
        }
    }

    private List<MetricFamily> BuildFamilies()
    {
        // Instruments are visited in a fixed order so that, when two of them claim one name, the same one
        // wins on every scrape.
        var streams = _streams.Values
            .OrderBy(stream => stream.Name, StringComparer.Ordinal)
            .ThenBy(stream => stream.Instrument.Meter.Name, StringComparer.Ordinal)
            .ThenBy(stream => stream.Instrument.Name, StringComparer.Ordinal);

        var families = new List<MetricFamily>();
        MetricFamily? current = null;
        foreach (var stream in streams)
        {
            if (current is null || !string.Equals(current.Name, stream.Name, StringComparison.Ordinal))
            {
                current = new MetricFamily(stream.Name, stream.Kind, (stream as HistogramStream)?.Boundaries);
                families.Add(current);
            }
            else if (!current.Accepts(stream))
            {
                // Same name, incompatible type or buckets: writing both would make Prometheus reject the scrape.
                continue;
            }

            if (string.IsNullOrEmpty(current.Help))
            {
                current.Help = stream.Instrument.Description;
            }

            stream.CollectInto(current);
        }

        return families;
    }
}
