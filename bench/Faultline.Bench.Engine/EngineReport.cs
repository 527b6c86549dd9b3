using System.Globalization;
using System.Text;
using Faultline.Domain.Experiments;

namespace Faultline.Bench.Engine;

/// <summary>
/// The human-readable report: the machine, then each figure as "figure / baseline = ratio", the baseline measured
/// or configured in the same run, then what each figure is made of and any run that misbehaved, in full.
/// </summary>
internal static class EngineReport
{
    /// <summary>Above this, a competing build or test run has visibly taken cores away from a figure.</summary>
    private const double OtherLoadWarningPercent = 10;

    public static string Render(
        MachineInfo machine,
        EngineBenchOptions options,
        DateTimeOffset date,
        IReadOnlyList<AbortLatencyResult> aborts,
        string? prometheusSkipped,
        TakeoverResult? takeover,
        ThroughputResult? throughput)
    {
        var text = new StringBuilder();
        void Line(FormattableString line) => text.Append(line.ToString(CultureInfo.InvariantCulture)).Append('\n');

        Line($"Faultline engine benchmark, {date:yyyy-MM-dd HH:mm} UTC{(options.Quick ? " (--quick: smoke-test counts, not figures to quote)" : "")}");
        Line($"Machine: {machine.ProcessorCount} logical CPUs ({machine.CpuModel}), {Gib(machine.TotalMemoryBytes)} GiB RAM ({Gib(machine.GcAvailableMemoryBytes)} GiB available to the GC)");
        Line($"OS: {machine.Os}; runtime: {machine.Runtime}, {machine.Gc} GC");
        Line($"Setup: embedded PostgreSQL (fsync=on) on loopback and the same cores; noop injector, http and prometheus provider plugins; runs started through the REST API");
        Line($"Clock: every duration is between two PostgreSQL timestamps: clock_timestamp() read by the bench just before it acts, and now() in the row the engine writes.");

        foreach (var abort in aborts)
        {
            WriteAbort(Line, abort);
        }

        if (prometheusSkipped is not null)
        {
            Line($"");
            Line($"1b. Abort latency through real Prometheus: SKIPPED, {prometheusSkipped}");
        }

        if (takeover is not null)
        {
            WriteTakeover(Line, takeover);
        }

        if (throughput is not null)
        {
            WriteThroughput(Line, throughput);
        }

        var cpus = aborts.Select(abort => abort.Cpu).Append(throughput?.Cpu);
        if (cpus.Any(c => c is { } cpu && cpu.Other + cpu.Steal > OtherLoadWarningPercent))
        {
            Line($"");
            Line($"WARNING: other processes (or the hypervisor) took more than {OtherLoadWarningPercent} % of the machine during a figure; rerun on a quiet machine.");
        }

        return text.ToString();
    }

    private static void WriteAbort(Action<FormattableString> line, AbortLatencyResult result)
    {
        var interval = result.GuardrailInterval.TotalMilliseconds;
        var scrape = result.ScrapeInterval?.TotalMilliseconds;

        // Each figure against the probe interval, and on the Prometheus path also against the scrape interval:
        // detection there waits for a scrape and then for a sample, so both intervals bound it.
        string Against(double figure) =>
            $"/ guardrail interval {Ms(interval)} ms = {Ratio(figure, interval),6}" +
            (scrape is { } s ? $", / scrape interval {Ms(s)} ms = {Ratio(figure, s),6}" : "");

        line($"");
        if (scrape is null)
        {
            line($"1. Abort latency through the http probe: the health endpoint answers 500 -> rollback confirmed");
            line($"   {result.Samples.Count} of {result.RunsRequested} runs measured ({result.Parallel} at a time, after 1 unmeasured warm-up run), in-process node;");
            line($"   each run holds one noop fault for 60s, so only its http guardrail (every {Durations.Format(result.GuardrailInterval)}) can end it");
        }
        else
        {
            line($"1b. Abort latency through real Prometheus: the gauge changes at the scrape target -> rollback confirmed");
            line($"   {result.Samples.Count} of {result.RunsRequested} runs measured ({result.Parallel} at a time, after 1 unmeasured warm-up run), in-process node;");
            line($"   each run holds one noop fault for 60s, so only its prometheus guardrail (every {Durations.Format(result.GuardrailInterval)}, an instant query) can end it;");
            line($"   the bench serves the gauge on loopback (text exposition) and the real prometheus binary scrapes it every {Durations.Format(result.ScrapeInterval!.Value)}");
        }

        line($"   p50  {Ms(result.Total.At(50)),8} ms {Against(result.Total.At(50))}");
        line($"   p99  {Ms(result.Total.At(99)),8} ms {Against(result.Total.At(99))}");
        line($"   min  {Ms(result.Total.Min),8} ms {Against(result.Total.Min)}");
        line($"   max  {Ms(result.Total.Max),8} ms {Against(result.Total.Max)}");
        line($"   detection, breach -> breaching sample recorded: p50 {Ms(result.Detection.At(50)),6} ms ({Ratio(result.Detection.At(50), interval)}), p99 {Ms(result.Detection.At(99)),6} ms ({Ratio(result.Detection.At(99), interval)}), max {Ms(result.Detection.Max),6} ms");
        if (result.Relay.Count > 0)
        {
            line($"     of which breach -> scraped by Prometheus:    p50 {Ms(result.Relay.At(50)),6} ms ({Ratio(result.Relay.At(50), scrape!.Value)} scrape), p99 {Ms(result.Relay.At(99)),6} ms ({Ratio(result.Relay.At(99), scrape.Value)}), max {Ms(result.Relay.Max),6} ms");
            line($"     and scraped -> breaching sample recorded:  p50 {Ms(result.AfterRelay.At(50)),6} ms ({Ratio(result.AfterRelay.At(50), interval)}), p99 {Ms(result.AfterRelay.At(99)),6} ms ({Ratio(result.AfterRelay.At(99), interval)}), max {Ms(result.AfterRelay.Max),6} ms");
            line($"     (the scrape's time is Prometheus' sample timestamp, whole ms of the same system clock)");
        }

        line($"   reaction, breaching sample -> fault removed:    p50 {Ms(result.Reaction.At(50)),6} ms ({Ratio(result.Reaction.At(50), interval)}), p99 {Ms(result.Reaction.At(99)),6} ms ({Ratio(result.Reaction.At(99), interval)}), max {Ms(result.Reaction.Max),6} ms");
        line($"   start: the breach is set at the source right after a clock_timestamp() query, at most its round trip after the stamp");
        line($"   (p50 {result.StampError.At(50):0.00} ms, max {result.StampError.Max:0.00} ms); end: faults[].removedAt of GET /api/v1/runs/{{id}}, now() of the transaction recording the verified removal");
        Cpu(line, "the abort runs", result.Cpu);
        Anomalies(line, result.Anomalies);
    }

    private static void WriteTakeover(Action<FormattableString> line, TakeoverResult result)
    {
        var ttl = result.LeaseTtl.TotalMilliseconds;
        line($"");
        line($"2. Takeover after kill -9: owner killed mid-fault -> every fault of its run removed by the survivor");
        line($"   {result.Samples.Count} of {result.Rounds} rounds measured; 2 `faultline server` processes over one database, lease TTL {Ms(ttl)} ms, poll {Ms(result.PollInterval.TotalMilliseconds)} ms;");
        line($"   each run holds 2 noop faults for 120s on the node that is then sent SIGKILL");
        line($"   p50  {Ms(result.Total.At(50)),8} ms / lease TTL {Ms(ttl)} ms = {Ratio(result.Total.At(50), ttl)}");
        line($"   max  {Ms(result.Total.Max),8} ms / lease TTL {Ms(ttl)} ms = {Ratio(result.Total.Max, ttl)}");
        line($"   lease still valid at the kill:        p50 {Ms(result.LeaseLeft.At(50)),6} ms, max {Ms(result.LeaseLeft.Max),6} ms (owners renew every third of the TTL)");
        line($"   lease expiry -> last fault removed:   p50 {Ms(result.AfterExpiry.At(50)),6} ms, max {Ms(result.AfterExpiry.Max),6} ms, of which");
        line($"     expiry -> run.takeover event:       p50 {Ms(result.Claim.At(50)),6} ms, max {Ms(result.Claim.Max),6} ms (the survivor's poll and claim)");
        line($"     run.takeover -> last fault removed: p50 {Ms(result.Rollback.At(50)),6} ms, max {Ms(result.Rollback.Max),6} ms (reconciling both faults)");
        line($"   start: SIGKILL right after a clock_timestamp() query, at most its round trip after the stamp");
        line($"   (p50 {result.StampError.At(50):0.00} ms, max {result.StampError.Max:0.00} ms); end: the last faults.removed_at of the run");
        Anomalies(line, result.Anomalies);
    }

    private static void WriteThroughput(Action<FormattableString> line, ThroughputResult result)
    {
        var baselineMs = result.BaselineWall.TotalMilliseconds;
        var perRun = (double)Math.Max(1, result.Runs);
        line($"");
        line($"3. Throughput: {result.Runs} runs started at once on one in-process node (noop fault {Durations.Format(result.FaultDuration)}, MaxConcurrentRuns {result.MaxConcurrentRuns})");
        line($"   baseline: the same run alone on the idle node, {Ms(baselineMs)} ms end to end (median of {result.BaselineWalls.Count}), i.e. {result.BaselineRunsPerSecond:0.00} runs/s one at a time");
        line($"   peak concurrently observing: {result.PeakObserving} of {result.Runs} runs");
        line($"   runs completed/s   {result.RunsPerSecond,8:0.00} / one at a time {result.BaselineRunsPerSecond:0.00} = {Ratio(result.RunsPerSecond, result.BaselineRunsPerSecond)}   ({result.Runs} runs in {Ms(result.BatchWall.TotalMilliseconds)} ms, first created -> last closed)");
        line($"   run wall time p50  {Ms(result.RunWall.At(50)),8} ms / run alone {Ms(baselineMs)} ms = {Ratio(result.RunWall.At(50), baselineMs)}");
        line($"   run wall time p99  {Ms(result.RunWall.At(99)),8} ms / run alone {Ms(baselineMs)} ms = {Ratio(result.RunWall.At(99), baselineMs)}");
        var perEvent = result.RoundTrips / (double)Math.Max(1, result.EngineEvents);
        line($"   DB round-trips per run step (step = timeline event the engine wrote): {perEvent:0.00} / run alone {result.BaselineRoundTripsPerEvent:0.00} = {Ratio(perEvent, result.BaselineRoundTripsPerEvent)}");
        line($"     {result.RoundTrips:N0} round-trips (RunDispatcher.Completed) over {result.Runs} runs = {result.RoundTrips / perRun:0.0} per run;");
        line($"     {result.EngineEvents / perRun:0.0} engine events and {result.StateTransitions / perRun:0.0} state transitions per run = {result.RoundTrips / (double)Math.Max(1, result.StateTransitions):0.0} round-trips per state transition");
        Cpu(line, "the burst", result.Cpu);
        Anomalies(line, result.Anomalies);
    }

    private static void Cpu(Action<FormattableString> line, string during, CpuUsage? cpu)
    {
        if (cpu is not null)
        {
            line($"   CPU during {during}, % of all cores: bench + node {cpu.Bench:0.0}, postgres {cpu.Postgres:0.0}, interrupts {cpu.Interrupts:0.0}, other {cpu.Other:0.0}, steal {cpu.Steal:0.0}");
        }
    }

    /// <summary>Runs left out of a figure, each in full: a figure that silently drops its failures flatters the engine.</summary>
    private static void Anomalies(Action<FormattableString> line, IReadOnlyList<string> anomalies)
    {
        foreach (var anomaly in anomalies)
        {
            line($"   ANOMALY (not in the figure): {anomaly}");
        }
    }

    private static string Ms(double milliseconds) => double.IsNaN(milliseconds) ? "n/a" : milliseconds.ToString("N0", CultureInfo.InvariantCulture);

    private static string Ratio(double figure, double baseline) =>
        double.IsNaN(figure) || baseline <= 0 ? "n/a" : (figure / baseline).ToString("0.00", CultureInfo.InvariantCulture) + "x";

    private static string Gib(long bytes) => (bytes / (1024.0 * 1024 * 1024)).ToString("0.0", CultureInfo.InvariantCulture);
}
