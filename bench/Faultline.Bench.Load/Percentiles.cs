using System.Diagnostics;

namespace Faultline.Bench.Load;

/// <summary>Exact percentiles of recorded Stopwatch ticks (nearest rank), computed once after the run.</summary>
internal sealed class Percentiles
{
    private readonly long[] _sorted;

    public Percentiles(IEnumerable<List<long>> samples)
    {
        _sorted = [.. samples.SelectMany(list => list)];
        Array.Sort(_sorted);
    }

    public int Count => _sorted.Length;

    /// <summary>The smallest sample at or above <paramref name="percent"/>% of all samples, in milliseconds; NaN when there are none.</summary>
    public double Milliseconds(double percent)
    {
        if (_sorted.Length == 0)
        {
            return double.NaN;
        }

        var rank = (int)Math.Ceiling(percent / 100 * _sorted.Length);
        return _sorted[Math.Clamp(rank - 1, 0, _sorted.Length - 1)] * 1000.0 / Stopwatch.Frequency;
    }
}
