namespace Faultline.Bench;

/// <summary>
/// Exact percentiles of a small set of samples in milliseconds (nearest rank), computed once after the runs:
/// with 100 abort runs, p99 is the second slowest, not an interpolation between samples that never happened.
/// </summary>
internal sealed class Percentiles
{
    private readonly double[] _sorted;

    public Percentiles(IEnumerable<double> milliseconds)
    {
        _sorted = [.. milliseconds];
        Array.Sort(_sorted);
    }

    public int Count => _sorted.Length;

    public double Min => _sorted.Length == 0 ? double.NaN : _sorted[0];

    public double Max => _sorted.Length == 0 ? double.NaN : _sorted[^1];

    /// <summary>The smallest sample at or above <paramref name="percent"/>% of all samples; NaN when there are none.</summary>
    public double At(double percent)
    {
        if (_sorted.Length == 0)
        {
            return double.NaN;
        }

        var rank = (int)Math.Ceiling(percent / 100 * _sorted.Length);
        return _sorted[Math.Clamp(rank - 1, 0, _sorted.Length - 1)];
    }
}
