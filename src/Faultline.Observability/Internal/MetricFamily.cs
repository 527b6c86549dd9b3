namespace Faultline.Observability.Internal;

/// <summary>
/// Everything one scrape writes under a single metric name: one <c># HELP</c>, one <c># TYPE</c>, and the series.
/// Series that end up with identical labels, from several instruments of one name or from tags that differ only
/// before sanitizing, are merged, because Prometheus rejects a scrape that repeats a series.
/// </summary>
internal sealed class MetricFamily
{
    private readonly Dictionary<string, MetricSeries> _series = new(StringComparer.Ordinal);

    public MetricFamily(string name, InstrumentKind kind, double[]? boundaries)
    {
        Name = name;
        Kind = kind;
        Boundaries = boundaries;
    }

    public string Name { get; }

    public InstrumentKind Kind { get; }

    /// <summary>The explicit bucket boundaries; only histograms have them.</summary>
    public double[]? Boundaries { get; }

    public string? Help { get; set; }

    public string Type => Kind switch
    {
        InstrumentKind.Counter => "counter",
        InstrumentKind.Histogram => "histogram",
        _ => "gauge",
    };

    public IEnumerable<MetricSeries> Series => _series.Values.OrderBy(series => series.Labels, StringComparer.Ordinal);

    public bool IsEmpty => _series.Count == 0;

    /// <summary>Whether a stream can be written into this family without producing an invalid exposition.</summary>
    public bool Accepts(MetricStream stream)
    {
        var streamType = stream.Kind == InstrumentKind.Counter ? InstrumentKind.Counter
            : stream.Kind == InstrumentKind.Histogram ? InstrumentKind.Histogram
            : InstrumentKind.Gauge;
        var familyType = Kind == InstrumentKind.UpDownCounter ? InstrumentKind.Gauge : Kind;
        if (streamType != familyType)
        {
            return false;
        }

        // Buckets can only be added up when they mean the same ranges.
        return stream is not HistogramStream histogram || histogram.Boundaries.AsSpan().SequenceEqual(Boundaries);
    }

    public void AddValue(string labels, double value, bool additive)
    {
        if (_series.TryGetValue(labels, out var series))
        {
            series.Value = additive ? series.Value + value : value;
            return;
        }

        _series.Add(labels, new MetricSeries(labels) { Value = value });
    }

    public void AddHistogram(string labels, long[] bucketCounts, double sum)
    {
        if (_series.TryGetValue(labels, out var series) && series.BucketCounts is { } existing)
        {
            for (var i = 0; i < existing.Length; i++)
            {
                existing[i] += bucketCounts[i];
            }

            series.Sum += sum;
            return;
        }

        _series[labels] = new MetricSeries(labels) { BucketCounts = bucketCounts, Sum = sum };
    }
}
