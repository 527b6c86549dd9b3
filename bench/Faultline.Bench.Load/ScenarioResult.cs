namespace Faultline.Bench.Load;

/// <summary>The figures of one scenario. Throughput and latencies are over successful responses only.</summary>
internal sealed record ScenarioResult(
    string Scenario,
    string Description,
    int Connections,
    int ConnectionsOpened,
    double DurationSeconds,
    long Requests,
    long Errors,
    IReadOnlyDictionary<string, int> ErrorsByKind,
    string? FirstErrorDetail,
    double RequestsPerSecond,
    double P50Ms,
    double P90Ms,
    double P99Ms,
    double MaxMs,
    CpuUsage? Cpu);
