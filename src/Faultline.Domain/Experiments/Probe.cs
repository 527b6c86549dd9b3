using System.Text.Json;

namespace Faultline.Domain.Experiments;

/// <summary>What to do when a metric provider cannot answer.</summary>
public enum ProviderErrorPolicy
{
    /// <summary>Treat it as a breach: abort (the default, since blind is not safe).</summary>
    Abort,

    /// <summary>Record it and carry on.</summary>
    Ignore,
}

/// <summary>How samples over a window become one value.</summary>
public enum Aggregation
{
    Last,
    Avg,
    Min,
    Max,
    P50,
    P90,
    P99,
}

/// <summary>
/// A steady-state probe: a query to a metric provider, reduced over a window, compared with a tolerance
/// (absolute, or relative to the baseline measured just before injection).
/// </summary>
public sealed record Probe(
    string Name,
    string Provider,
    string Query,
    JsonElement Configuration,
    Tolerance Tolerance,
    TimeSpan? Window,
    Aggregation Aggregation,
    ProviderErrorPolicy OnProviderError);

/// <summary>
/// A probe evaluated continuously during the fault; a breach aborts and rolls back. Like a steady-state probe it
/// may reduce a window of samples (p99 over the last 30 s) and compare with the baseline taken just before
/// injection ("no more than 20% above baseline").
/// </summary>
public sealed record Guardrail(
    string Name,
    string Provider,
    string Query,
    JsonElement Configuration,
    Tolerance Tolerance,
    TimeSpan Every,
    ProviderErrorPolicy OnProviderError,
    TimeSpan? Window = null,
    Aggregation Aggregation = Aggregation.Last)
{
    public static readonly TimeSpan DefaultInterval = TimeSpan.FromSeconds(1);
}
