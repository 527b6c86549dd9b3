using System.Collections.Concurrent;
using System.Diagnostics.Metrics;

namespace Faultline.Observability.Internal;

/// <summary>A metric stream that keeps one <typeparamref name="TPoint"/> per distinct tag set.</summary>
internal abstract class TaggedMetricStream<TPoint> : MetricStream
    where TPoint : class
{
    private readonly ConcurrentDictionary<TagSet, TPoint> _points = new(TagSetComparer.Instance);
    private readonly ConcurrentDictionary<TagSet, TPoint>.AlternateLookup<ReadOnlySpan<KeyValuePair<string, object?>>> _lookup;
    private readonly int _maxSeries;
    private int _seriesCount;

    protected TaggedMetricStream(Instrument instrument, InstrumentKind kind, int maxSeries)
        : base(instrument, kind)
    {
        _maxSeries = maxSeries;
        _lookup = _points.GetAlternateLookup<ReadOnlySpan<KeyValuePair<string, object?>>>();
    }

    public override void Reset()
    {
        _points.Clear();
        Volatile.Write(ref _seriesCount, 0);
    }

    protected abstract TPoint CreatePoint();

    protected IEnumerable<KeyValuePair<TagSet, TPoint>> Points => _points;

    /// <summary>The point for these tags; the common case, an existing series, is one allocation-free lookup.</summary>
    protected TPoint GetPoint(ReadOnlySpan<KeyValuePair<string, object?>> tags) =>
        _lookup.TryGetValue(tags, out var point) ? point : AddPoint(tags);

    private TPoint AddPoint(ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        var key = TagSet.Create(tags);
        if (_points.TryGetValue(key, out var existing))
        {
            return existing;
        }

        // The limit keeps a tag with unbounded values (a request id, say) from growing memory and the scrape
        // without end. It is checked before the add, so racing threads may pass it by a few series: a soft limit.
        if (Volatile.Read(ref _seriesCount) >= _maxSeries)
        {
            return _points.GetOrAdd(TagSet.Overflow, static (_, stream) => stream.CreatePoint(), this);
        }

        var created = CreatePoint();
        var winner = _points.GetOrAdd(key, created);
        if (ReferenceEquals(winner, created))
        {
            Interlocked.Increment(ref _seriesCount);
        }

        return winner;
    }
}
