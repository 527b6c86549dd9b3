using System.Globalization;

namespace Faultline.Plugins.Network.Tests.Lab;

/// <summary>
/// Latency samples (ping RTTs, connect or request/response times) in ascending order, with the statistics a fault
/// test asserts on. Percentiles are nearest-rank: always a value that was really measured.
/// </summary>
public sealed class LatencySamples
{
    private readonly TimeSpan[] _sorted;

    public LatencySamples(IEnumerable<TimeSpan> samples)
    {
        ArgumentNullException.ThrowIfNull(samples);
        _sorted = [.. samples.Order()];
    }

    public int Count => _sorted.Length;

    public IReadOnlyList<TimeSpan> Sorted => _sorted;

    public TimeSpan Min => NonEmpty()[0];

    public TimeSpan Max => NonEmpty()[^1];

    public TimeSpan Mean => TimeSpan.FromTicks((long)NonEmpty().Average(sample => sample.Ticks));

    /// <summary>The 50th percentile (for an even count, the lower of the two middle samples).</summary>
    public TimeSpan Median => Percentile(50);

    public TimeSpan Percentile(double percent)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(percent, 0);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(percent, 100);
        var sorted = NonEmpty();
        var rank = (int)Math.Ceiling(percent / 100 * sorted.Length);
        return sorted[Math.Max(rank, 1) - 1];
    }

    public override string ToString() =>
        Count == 0
            ? "no samples"
            : string.Create(CultureInfo.InvariantCulture, $"n={Count} min {Ms(Min)} median {Ms(Median)} p90 {Ms(Percentile(90))} max {Ms(Max)}");

    internal static string Ms(TimeSpan value) => string.Create(CultureInfo.InvariantCulture, $"{value.TotalMilliseconds:0.###} ms");

    private TimeSpan[] NonEmpty() =>
        _sorted.Length > 0
            ? _sorted
            : throw new InvalidOperationException("No latency samples: every attempt failed, so assert on the failures (loss, timeouts) instead.");
}
