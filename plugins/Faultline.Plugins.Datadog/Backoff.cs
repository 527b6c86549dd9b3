namespace Faultline.Plugins.Datadog;

/// <summary>
/// Waits between retries of a 5xx or a failed connection: exponential from 250 ms, at most 4 s, with "equal
/// jitter" (half fixed, half random) so that many probes failing together do not retry in lockstep.
/// </summary>
internal static class Backoff
{
    public static readonly TimeSpan First = TimeSpan.FromMilliseconds(250);
    public static readonly TimeSpan Max = TimeSpan.FromSeconds(4);

    /// <summary>The wait after failed attempt <paramref name="attempt"/> (1 for the first), between half and all of its step.</summary>
    public static TimeSpan After(int attempt)
    {
        var step = Math.Min(Max.TotalMilliseconds, First.TotalMilliseconds * Math.Pow(2, Math.Max(0, attempt - 1)));
#pragma warning disable CA5394 // Jitter only spreads retries; nothing depends on it being unpredictable.
        return TimeSpan.FromMilliseconds(step / 2 + Random.Shared.NextDouble() * step / 2);
#pragma warning restore CA5394
    }
}
