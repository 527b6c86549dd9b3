using System.Diagnostics.Metrics;

namespace Faultline.Engine.Runs;

/// <summary>
/// The engine's own instruments (meter <c>Faultline.Engine</c>, exported at /metrics and over OTLP): what runs
/// end with, how many faults went in and came out, and how long an abort takes to be rolled back.
/// </summary>
public static class EngineTelemetry
{
    public const string MeterName = "Faultline.Engine";

    private static readonly Meter Meter = new(MeterName);

    public static readonly Counter<long> RunsCompleted = Meter.CreateCounter<long>(
        "faultline.engine.runs.completed", "{run}", "Runs closed, by verdict and abort cause.");

    public static readonly Counter<long> RunsTakenOver = Meter.CreateCounter<long>(
        "faultline.engine.runs.taken_over", "{run}", "Runs this node took over from a node that stopped renewing its lease.");

    public static readonly Counter<long> FaultsInjected = Meter.CreateCounter<long>(
        "faultline.engine.faults.injected", "{fault}", "Faults applied, by injector.");

    public static readonly Counter<long> FaultsRemoved = Meter.CreateCounter<long>(
        "faultline.engine.faults.removed", "{fault}", "Faults removed with a verified proof, by injector.");

    public static readonly Counter<long> RollbacksFailed = Meter.CreateCounter<long>(
        "faultline.engine.rollbacks.failed", "{fault}", "Faults whose removal could not be proven: each needs an operator.");

    public static readonly Histogram<double> AbortToRollback = Meter.CreateHistogram<double>(
        "faultline.engine.abort.rollback.duration", "s", "From an abort (guardrail, user, halt) to every fault of the run removed.");
}
