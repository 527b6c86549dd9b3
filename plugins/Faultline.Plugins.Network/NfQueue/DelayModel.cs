using System.Globalization;

namespace Faultline.Plugins.Network.NfQueue;

/// <summary>
/// How long to hold each packet, with netem's meaning: <c>delay = latency + jitter × u</c>, u uniform in [-1, 1],
/// and with a correlation c = percent / 100 each u leans on the previous one: <c>u = c × u_prev + (1 − c) × u_random</c>.
/// A negative result (jitter above latency) holds the packet for no time at all.
/// </summary>
public sealed record DelayModel
{
    public DelayModel(TimeSpan latency, TimeSpan jitter, double correlationPercent = 0)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(latency, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfLessThan(jitter, TimeSpan.Zero);
        if (double.IsNaN(correlationPercent) || correlationPercent is < 0 or > 100)
        {
            throw new ArgumentOutOfRangeException(nameof(correlationPercent), correlationPercent, "Correlation is a percentage from 0 to 100.");
        }

        Latency = latency;
        Jitter = jitter;
        CorrelationPercent = correlationPercent;
    }

    public TimeSpan Latency { get; }

    /// <summary>The most a packet's delay departs from <see cref="Latency"/>, either way.</summary>
    public TimeSpan Jitter { get; }

    public double CorrelationPercent { get; }

    public override string ToString() => string.Create(
        CultureInfo.InvariantCulture,
        $"{Latency.TotalMilliseconds} ms ± {Jitter.TotalMilliseconds} ms, correlation {CorrelationPercent}%");
}
