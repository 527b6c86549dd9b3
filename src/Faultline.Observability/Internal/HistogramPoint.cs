namespace Faultline.Observability.Internal;

/// <summary>
/// One histogram series: a counter per bucket (not cumulative; the writer accumulates) and the running sum.
/// The count is not stored separately but derived from the buckets at scrape, so <c>le="+Inf"</c> always equals
/// <c>_count</c> even while measurements arrive during a scrape.
/// </summary>
internal sealed class HistogramPoint
{
    private readonly long[] _bucketCounts;
    private double _sum;

    public HistogramPoint(int bucketCount) => _bucketCounts = new long[bucketCount];

    public double Sum => Volatile.Read(ref _sum);

    public void Record(int bucketIndex, double value)
    {
        Interlocked.Increment(ref _bucketCounts[bucketIndex]);

        var current = Volatile.Read(ref _sum);
        while (true)
        {
            var observed = Interlocked.CompareExchange(ref _sum, current + value, current);
            if (BitConverter.DoubleToInt64Bits(observed) == BitConverter.DoubleToInt64Bits(current))
            {
                return;
            }

            current = observed;
        }
    }

    public long[] SnapshotBucketCounts()
    {
        var snapshot = new long[_bucketCounts.Length];
        for (var i = 0; i < snapshot.Length; i++)
        {
            snapshot[i] = Volatile.Read(ref _bucketCounts[i]);
        }

        return snapshot;
    }
}
