using System.Diagnostics.Metrics;
using System.Numerics;

namespace Faultline.Observability.Internal;

/// <summary>Chooses the explicit bucket boundaries of a histogram and finds a value's bucket.</summary>
internal static class HistogramBuckets
{
    /// <summary>OpenTelemetry's default explicit boundaries, sized for milliseconds.</summary>
    public static IReadOnlyList<double> Default { get; } =
        [0, 5, 10, 25, 50, 75, 100, 250, 500, 750, 1000, 2500, 5000, 7500, 10000];

    /// <summary>
    /// ASP.NET Core's boundaries for durations in seconds: the millisecond defaults would put every request
    /// below 5 s in one bucket.
    /// </summary>
    public static IReadOnlyList<double> Seconds { get; } =
        [0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10];

    /// <summary>The instrument's advised boundaries when it gives usable ones, otherwise the defaults for its unit.</summary>
    public static double[] For(Instrument instrument)
    {
        var advised = instrument switch
        {
            Instrument<double> typed => Convert(typed.Advice?.HistogramBucketBoundaries),
            Instrument<float> typed => Convert(typed.Advice?.HistogramBucketBoundaries),
            Instrument<long> typed => Convert(typed.Advice?.HistogramBucketBoundaries),
            Instrument<int> typed => Convert(typed.Advice?.HistogramBucketBoundaries),
            Instrument<short> typed => Convert(typed.Advice?.HistogramBucketBoundaries),
            Instrument<byte> typed => Convert(typed.Advice?.HistogramBucketBoundaries),
            Instrument<decimal> typed => Convert(typed.Advice?.HistogramBucketBoundaries),
            _ => null,
        };

        if (advised is not null && IsUsable(advised))
        {
            return advised;
        }

        return [.. string.Equals(instrument.Unit, "s", StringComparison.Ordinal) ? Seconds : Default];
    }

    /// <summary>
    /// Index of the bucket for <paramref name="value"/>: bucket <c>i</c> holds values <c>&lt;= boundaries[i]</c>
    /// (Prometheus' <c>le</c> is inclusive), and index <c>boundaries.Length</c> is the <c>+Inf</c> overflow.
    /// </summary>
    public static int IndexOf(double[] boundaries, double value)
    {
        var index = Array.BinarySearch(boundaries, value);
        return index >= 0 ? index : ~index;
    }

    private static double[]? Convert<T>(IReadOnlyList<T>? boundaries)
        where T : struct, INumberBase<T>
    {
        if (boundaries is null)
        {
            return null;
        }

        var result = new double[boundaries.Count];
        for (var i = 0; i < result.Length; i++)
        {
            result[i] = double.CreateSaturating(boundaries[i]);
        }

        return result;
    }

    // Advice comes from library code outside our control; unsorted or non-finite boundaries would make
    // the cumulative buckets non-monotonic, which Prometheus rejects, so such advice is ignored.
    private static bool IsUsable(double[] boundaries)
    {
        for (var i = 0; i < boundaries.Length; i++)
        {
            if (!double.IsFinite(boundaries[i]) || (i > 0 && boundaries[i] <= boundaries[i - 1]))
            {
                return false;
            }
        }

        return true;
    }
}
