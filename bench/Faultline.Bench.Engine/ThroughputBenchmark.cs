using System.Globalization;

namespace Faultline.Bench.Engine;

/// <summary>
/// Figure 3: how many concurrent runs one node sustains with the noop injector. First the same kind of run is
/// timed alone a few times (the baseline: one run end to end on an idle node); then every run is started at
/// once through the API and the node, its cap raised above the burst, drives them all. Each run has its own
/// target (the noop injector claims its target) and all share one always-healthy health slot.
/// </summary>
internal sealed class ThroughputBenchmark(BenchNode node, RunQueries queries, HealthSwitch health, EngineBenchOptions options, int maxConcurrentRuns, int? postmasterPid)
{
    private const string HealthSlot = "throughput";

    /// <summary>Requests in flight while starting the burst: enough to create hundreds of runs in well under a fault's duration.</summary>
    private const int StartParallelism = 16;

    /// <summary>The batch moves on once every run is closed; polling faster would only load the database being measured.</summary>
    private static readonly TimeSpan BatchPoll = TimeSpan.FromMilliseconds(100);

    public async Task<ThroughputResult> RunAsync(CancellationToken cancellationToken)
    {
        using var client = new FaultlineClient(node.BaseAddress, node.OwnerKey);
        health.Set(HealthSlot, healthy: true);
        var experiments = new Guid[options.ThroughputRuns];
        for (var i = 0; i < experiments.Length; i++)
        {
            var name = string.Create(CultureInfo.InvariantCulture, $"throughput-{i}");
            experiments[i] = await client.CreateExperimentAsync(
                NoopExperiment.Yaml(name, [name], health.UrlOf(HealthSlot), options.ThroughputFaultDuration), cancellationToken);
        }

        var anomalies = new List<string>();
        var baselineWalls = new List<TimeSpan>();
        long baselineRoundTrips = 0;
        var baselineEvents = 0;
        for (var i = 0; i < options.BaselineRuns; i++)
        {
            var (ids, roundTrips) = await RunBatchAsync(client, experiments[..1], cancellationToken);
            var alone = (await queries.TimelinesAsync(ids, cancellationToken)).Single();
            anomalies.AddRange(Check([alone]));
            baselineWalls.Add((alone.FinishedAt ?? alone.CreatedAt) - alone.CreatedAt);
            baselineRoundTrips += roundTrips;
            baselineEvents += alone.EngineEvents;
        }

        var before = CpuSnapshot.Take(postmasterPid);
        var (runIds, batchRoundTrips) = await RunBatchAsync(client, experiments, cancellationToken);
        var cpu = CpuUsage.Between(before, CpuSnapshot.Take(postmasterPid));

        var timelines = await queries.TimelinesAsync(runIds, cancellationToken);
        anomalies.AddRange(Check(timelines));
        var firstCreated = timelines.Min(t => t.CreatedAt);
        var lastFinished = timelines.Max(t => t.FinishedAt ?? t.CreatedAt);
        return new ThroughputResult(
            runIds.Length,
            options.ThroughputFaultDuration,
            maxConcurrentRuns,
            baselineWalls,
            baselineRoundTrips / (double)Math.Max(1, baselineEvents),
            lastFinished - firstCreated,
            [.. timelines.Select(t => ((t.FinishedAt ?? t.CreatedAt) - t.CreatedAt).TotalMilliseconds)],
            PeakOverlap(timelines.Where(t => t is { ObservingFrom: not null, ObservingUntil: not null }).Select(t => (t.ObservingFrom!.Value, t.ObservingUntil!.Value))),
            batchRoundTrips,
            timelines.Sum(t => t.EngineEvents),
            timelines.Sum(t => t.StateTransitions),
            anomalies,
            cpu);
    }

    /// <summary>Starts one run per experiment at once and waits until the node has closed them all.</summary>
    private async Task<(Guid[] RunIds, long RoundTrips)> RunBatchAsync(FaultlineClient client, Guid[] experiments, CancellationToken cancellationToken)
    {
        var before = node.Dispatcher.Completed;
        var runIds = new Guid[experiments.Length];
        await Parallel.ForAsync(0, experiments.Length, new ParallelOptions { MaxDegreeOfParallelism = StartParallelism, CancellationToken = cancellationToken },
            async (i, token) => runIds[i] = await client.StartRunAsync(experiments[i], token));

        // The dispatcher adds a run's round trips after the run is closed in the database: wait for both, or the
        // last runs' trips would be missing from the count.
        var completed = 0;
        await Poll.UntilAsync(
            async () => (completed = await queries.CountCompletedAsync(runIds, cancellationToken)) == runIds.Length
                        && node.Dispatcher.Completed.Runs - before.Runs >= runIds.Length,
            options.ThroughputFaultDuration + TimeSpan.FromSeconds(60 + runIds.Length / 2.0),
            () => $"all {runIds.Length} run(s) are closed ({completed} are)",
            cancellationToken,
            BatchPoll);
        return (runIds, node.Dispatcher.Completed.RoundTrips - before.RoundTrips);
    }

    /// <summary>Every run must pass: a failed or aborted run did less work, and would flatter the figure.</summary>
    private static IEnumerable<string> Check(IEnumerable<RunTimeline> timelines) =>
        timelines.Where(t => t.Verdict != "passed" || t.ObservingFrom is null)
            .Select(t => $"run {t.RunId} ended {t.Verdict ?? "without a verdict"}{(t.ObservingFrom is null ? " without ever observing" : "")}");

    /// <summary>The most spans open at one instant (a sweep over their edges; a span ending as another starts does not overlap it).</summary>
    private static int PeakOverlap(IEnumerable<(DateTime From, DateTime Until)> spans)
    {
        var edges = spans.SelectMany(span => new[] { (At: span.From, Delta: 1), (At: span.Until, Delta: -1) })
            .OrderBy(edge => edge.At)
            .ThenBy(edge => edge.Delta);
        int open = 0, peak = 0;
        foreach (var (_, delta) in edges)
        {
            open += delta;
            peak = Math.Max(peak, open);
        }

        return peak;
    }
}
