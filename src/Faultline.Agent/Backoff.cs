namespace Faultline.Agent;

/// <summary>
/// Exponential back-off with jitter: each failure doubles the wait up to a ceiling, and the actual wait is drawn
/// from the upper half of it, so agents cut off together do not come back in lockstep.
/// </summary>
public sealed class Backoff(TimeSpan initial, TimeSpan maximum)
{
    private readonly TimeSpan _initial = initial;
    private TimeSpan _current = initial;

    public TimeSpan Next()
    {
        var ceiling = _current;
        _current = TimeSpan.FromTicks(Math.Min(maximum.Ticks, _current.Ticks * 2));
        var half = ceiling / 2;
        return half + (half * Random.Shared.NextDouble());
    }

    public void Reset() => _current = _initial;
}
