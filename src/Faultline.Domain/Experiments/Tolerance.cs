namespace Faultline.Domain.Experiments;

/// <summary>
/// The acceptable values of a probe: bounds (strict or not), or a change relative to the baseline taken
/// just before injection ("p99 no more than 20% above baseline"). All given bounds must hold.
/// </summary>
public sealed record Tolerance(
    double? LessThan,
    double? LessThanOrEqual,
    double? GreaterThan,
    double? GreaterThanOrEqual,
    double? MaxIncreasePercent,
    double? MaxDecreasePercent)
{
    public bool IsRelative => MaxIncreasePercent is not null || MaxDecreasePercent is not null;

    public bool IsEmpty => LessThan is null && LessThanOrEqual is null && GreaterThan is null && GreaterThanOrEqual is null && !IsRelative;

    /// <summary>Whether <paramref name="value"/> is acceptable; relative bounds need the <paramref name="baseline"/>.</summary>
    public bool Accepts(double value, double? baseline = null)
    {
        if (double.IsNaN(value))
        {
            return false;
        }

        var absolute = (LessThan is not { } lt || value < lt)
            && (LessThanOrEqual is not { } le || value <= le)
            && (GreaterThan is not { } gt || value > gt)
            && (GreaterThanOrEqual is not { } ge || value >= ge);
        if (!absolute || !IsRelative)
        {
            return absolute;
        }

        if (baseline is not { } b || double.IsNaN(b))
        {
            return false;
        }

        var scale = Math.Abs(b);
        return (MaxIncreasePercent is not { } up || value <= b + (scale * up / 100))
            && (MaxDecreasePercent is not { } down || value >= b - (scale * down / 100));
    }
}
