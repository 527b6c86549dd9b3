namespace Faultline.Bench.Engine;

/// <summary>
/// Figure 1: breach-to-rollback latency over the abort runs that ended as a guardrail abort should, through one
/// path (<paramref name="Path"/>: the http probe, or Prometheus scraping every <paramref name="ScrapeInterval"/>).
/// </summary>
internal sealed record AbortLatencyResult(
    string Path,
    TimeSpan? ScrapeInterval,
    int RunsRequested,
    int Parallel,
    TimeSpan GuardrailInterval,
    IReadOnlyList<AbortSample> Samples,
    IReadOnlyList<string> Anomalies,
    CpuUsage? Cpu)
{
    public Percentiles Total { get; } = new(Samples.Select(s => s.TotalMs));

    public Percentiles Detection { get; } = new(Samples.Select(s => s.DetectionMs));

    public Percentiles Reaction { get; } = new(Samples.Select(s => s.ReactionMs));

    /// <summary>Breach -> scraped, and scraped -> breaching sample: detection's two waits on the Prometheus path (empty on the http path).</summary>
    public Percentiles Relay { get; } = new(Samples.Where(s => s.RelayMs is not null).Select(s => s.RelayMs!.Value));

    public Percentiles AfterRelay { get; } = new(Samples.Where(s => s.RelayMs is not null).Select(s => s.DetectionMs - s.RelayMs!.Value));

    /// <summary>How early the start stamps may be: the stamp query's round trip, over all samples.</summary>
    public Percentiles StampError { get; } = new(Samples.Select(s => s.StampErrorMs));
}
