namespace Faultline.Plugins.Network.NfQueue;

/// <summary>
/// The delays of successive packets under a <see cref="DelayModel"/>. The first packet draws u freshly; each later
/// one blends the previous u with a fresh draw by the correlation. Not thread-safe: one receive loop owns it.
/// </summary>
internal sealed class CorrelatedDelaySequence(DelayModel model, Random random)
{
    private readonly double _correlation = model.CorrelationPercent / 100;
    private double? _previous;

    public DelayModel Model { get; } = model;

    public TimeSpan Next()
    {
        var fresh = (random.NextDouble() * 2) - 1;
        var u = _previous is { } previous ? (_correlation * previous) + ((1 - _correlation) * fresh) : fresh;
        _previous = u;
        var ticks = Model.Latency.Ticks + (Model.Jitter.Ticks * u);
        return TimeSpan.FromTicks(Math.Max(0, (long)Math.Round(ticks)));
    }
}
