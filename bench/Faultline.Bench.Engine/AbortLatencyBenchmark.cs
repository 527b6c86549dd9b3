using System.Collections.Concurrent;
using System.Globalization;

namespace Faultline.Bench.Engine;

/// <summary>
/// Figure 1: how long a guardrail breach takes to become a rolled-back fault, through one path
/// (<see cref="IBreachSource"/>: the http probe, or real Prometheus). Each run holds a noop fault far longer than
/// the measurement (60 s), so only the guardrail can end it; once the run observes, the benchmark waits a random
/// fraction of the guardrail interval (so the breach lands at a uniformly random point of the sampling cycle, as
/// a real one would), stamps PostgreSQL's clock, and breaks the run's slot at the source. The end is the fault's
/// <c>removedAt</c> as <c>GET /api/v1/runs/{id}</c> serves it: the engine's <c>now()</c> when it recorded the
/// verified removal, so both ends come from the same clock.
/// </summary>
internal sealed class AbortLatencyBenchmark(
    BenchNode node, RunQueries queries, HealthSwitch health, IBreachSource source, int runs, TimeSpan? scrapeInterval, EngineBenchOptions options, int? postmasterPid)
{
    /// <summary>Far beyond any abort: a run that ends by itself instead of by the guardrail is an anomaly, not a sample.</summary>
    private static readonly TimeSpan FaultDuration = TimeSpan.FromSeconds(60);

    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    public async Task<AbortLatencyResult> RunAsync(CancellationToken cancellationToken)
    {
        using var client = new FaultlineClient(node.BaseAddress, node.OwnerKey);
        var slots = Math.Min(options.AbortParallel, runs);

        // One experiment, target and slot per concurrent run: the noop injector claims its target, and a shared
        // slot would let one run's breach abort its neighbours. The steady state asks the (always healthy on the
        // Prometheus path) health slot of the same name.
        var experiments = new Guid[slots];
        for (var slot = 0; slot < slots; slot++)
        {
            var name = SlotName(slot);
            experiments[slot] = await client.CreateExperimentAsync(
                NoopExperiment.Yaml(name, [name], health.UrlOf(name), FaultDuration, source.Guardrail(name, options.GuardrailInterval)), cancellationToken);
        }

        // One unmeasured run first: JIT and connection pools would otherwise land in the first sample (the max).
        var warmup = await MeasureOneAsync(client, experiments[0], SlotName(0), cancellationToken);
        if (warmup.Anomaly is { } warmupAnomaly)
        {
            throw new InvalidOperationException($"The warm-up abort run ({source.Name}) did not behave: {warmupAnomaly}");
        }

        var samples = new ConcurrentBag<AbortSample>();
        var anomalies = new ConcurrentBag<string>();
        var started = 0;
        var before = CpuSnapshot.Take(postmasterPid);
        await Task.WhenAll(Enumerable.Range(0, slots).Select(slot => Task.Run(async () =>
        {
            while (Interlocked.Increment(ref started) <= runs)
            {
                var (sample, anomaly) = await MeasureOneAsync(client, experiments[slot], SlotName(slot), cancellationToken);
                if (sample is not null)
                {
                    samples.Add(sample);
                }

                if (anomaly is not null)
                {
                    anomalies.Add(anomaly);
                }
            }
        }, cancellationToken)));
        var cpu = CpuUsage.Between(before, CpuSnapshot.Take(postmasterPid));
        return new AbortLatencyResult(source.Name, scrapeInterval, runs, slots, options.GuardrailInterval, [.. samples], [.. anomalies], cpu);
    }

    private async Task<(AbortSample? Sample, string? Anomaly)> MeasureOneAsync(FaultlineClient client, Guid experimentId, string slot, CancellationToken cancellationToken)
    {
        await source.MakeHealthyAsync(slot, cancellationToken);
        var runId = await client.StartRunAsync(experimentId, cancellationToken);
        DatabaseStamp breach;
        try
        {
            string? state = null;
            await Poll.UntilAsync(
                async () => (state = (await queries.StateAsync(runId, cancellationToken))?.State) is "observing" or "completed",
                Patience, () => $"run {runId} observes (last state: {state ?? "none"})", cancellationToken);
            if (state == "completed")
            {
                return (null, $"ended before its fault was in effect: {(await queries.OutcomeAsync(runId, cancellationToken)).Describe()}");
            }

            await Task.Delay(options.GuardrailInterval * Random.Shared.NextDouble(), cancellationToken);
            breach = await queries.StampAsync(cancellationToken);
            source.Breach(slot);

            await Poll.UntilAsync(
                async () => (await queries.StateAsync(runId, cancellationToken))?.State == "completed",
                options.GuardrailInterval * 3 + Patience, () => $"run {runId} is closed after its guardrail broke", cancellationToken);
        }
        catch (TimeoutException timeout)
        {
            return (null, timeout.Message);
        }

        var outcome = await queries.OutcomeAsync(runId, cancellationToken);
        var sampled = await queries.FirstEventAsync(runId, "guardrail.sample", onlyBreaches: true, cancellationToken);
        var removed = await client.LastRemovedAtAsync(runId, cancellationToken);
        var relayed = await source.RelayedAtAsync(slot, breach.At, cancellationToken);
        if (outcome is not { Verdict: "aborted", AbortCause: "guardrail", AllFaultsRemoved: true } || sampled is not { } sampledAt || removed is not { } removedAt)
        {
            return (null, $"did not end as a guardrail abort with every fault removed: {outcome.Describe()}");
        }

        return (new AbortSample(
            (removedAt - breach.At).TotalMilliseconds,
            (sampledAt - breach.At).TotalMilliseconds,
            (removedAt - sampledAt).TotalMilliseconds,
            breach.RoundTrip.TotalMilliseconds,
            (relayed - breach.At)?.TotalMilliseconds), null);
    }

    private string SlotName(int slot) => string.Create(CultureInfo.InvariantCulture, $"abort-{source.Name.Replace(' ', '-')}-{slot}");
}
