using System.Diagnostics;
using System.Text.Json;
using Faultline.Plugins.Network;
using Faultline.Plugins.Network.Actions;
using Faultline.Sdk.Injection;
using Faultline.Sdk.Targets;

namespace Faultline.Bench.Network;

/// <summary>One way of making a fault and undoing it: through an engine, or by the bare command (the floor).</summary>
internal sealed record Maker(string Label, Func<CancellationToken, Task<Func<CancellationToken, Task>>> Inject, bool DelayObserver);

/// <summary>An engine's fault next to its floor, the same effect made by the bare command.</summary>
internal sealed record Scenario(string Engine, string Fault, Maker Subject, Maker Floor)
{
    public static IReadOnlyList<Scenario> All(BenchLab lab, NetworkFaults faults)
    {
        var target = Target.Of(TargetKinds.NetworkInterface, $"{lab.NameA}/{lab.InterfaceA}");
        Maker Engine(NetworkAction action, string json, bool delay) => new($"network.{NetworkActions.Name(action)} {json}", async cancellationToken =>
        {
            var injector = new NetworkInjector(action, faults);
            var request = new FaultRequest(
                $"bench-{Guid.NewGuid():N}", Guid.NewGuid(), target, JsonDocument.Parse(json).RootElement.Clone(), TimeSpan.FromMinutes(5), DateTimeOffset.UtcNow.AddMinutes(5));
            var handle = await injector.InjectAsync(request, cancellationToken);
            return async token => await injector.RollbackAsync(handle, token);
        }, delay);

        Maker Bare(string label, string inject, string rollback, string? input = null) => new(label, async cancellationToken =>
        {
            await lab.RunAsync(lab.A, inject, cancellationToken, input);
            return async token => await lab.RunAsync(lab.A, rollback, token);
        }, DelayObserver: false);

        var dev = lab.InterfaceA;
        var nftDrop = Bare(
            "nft -f - (table, output chain, drop rule) / nft delete table",
            "nft -f -",
            "nft delete table inet fl_bench_floor",
            $"table inet fl_bench_floor {{ chain out {{ type filter hook output priority 0; policy accept; oifname \"{dev}\" drop\n }}\n}}\n");
        return
        [
            new("Tbf", "bandwidth", Engine(NetworkAction.Bandwidth, """{"rate":"125kbps","limit":20000,"burst":10000}""", delay: false),
                Bare("tc qdisc add ... tbf / tc qdisc del", $"tc qdisc add dev {dev} root tbf rate 125kbps burst 10000 limit 20000", $"tc qdisc del dev {dev} root")),
            new("Nftables", "loss 99.99%", Engine(NetworkAction.Loss, """{"percent":99.99}""", delay: false), nftDrop),
            new("Nftables", "partition", Engine(NetworkAction.Partition, "{}", delay: false), nftDrop),
            new("NfQueue", "delay 100ms", Engine(NetworkAction.Delay, """{"latency":"100ms"}""", delay: true),
                Bare("iptables -A OUTPUT -j DROP / -D (no delay: NFQUEUE without a listener drops)", $"iptables -A OUTPUT -o {dev} -j DROP", $"iptables -D OUTPUT -o {dev} -j DROP")),
        ];
    }
}

/// <summary>The figures of one maker: inject to observable, rollback to baseline, and how long the calls themselves took.</summary>
internal sealed record MakerResult(Percentiles Observable, Percentiles Baseline, Percentiles InjectCall, Percentiles RollbackCall, string Observer);

internal static class Measure
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);

    public static async Task<MakerResult> RunAsync(Maker maker, IObserver observer, int runs, CancellationToken cancellationToken)
    {
        var observable = new List<double>();
        var baseline = new List<double>();
        var injectCalls = new List<double>();
        var rollbackCalls = new List<double>();

        // One warm-up round (JIT, the capability probe, page cache for the binaries) that is not counted.
        for (var run = -1; run < runs; run++)
        {
            observer.Start();
            try
            {
                await WaitForAsync(observer, Stopwatch.GetTimestamp(), Seen.Baseline, "the baseline before injecting", cancellationToken);

                var t0 = Stopwatch.GetTimestamp();
                var rollback = await maker.Inject(cancellationToken);
                var injectCall = Stopwatch.GetElapsedTime(t0).TotalMilliseconds;
                var seen = await WaitForAsync(observer, t0, Seen.Fault, $"the fault after {maker.Label}", cancellationToken);

                var t1 = Stopwatch.GetTimestamp();
                await rollback(cancellationToken);
                var rollbackCall = Stopwatch.GetElapsedTime(t1).TotalMilliseconds;
                var back = await WaitForAsync(observer, t1, Seen.Baseline, $"the baseline after rolling back {maker.Label}", cancellationToken);
                if (run >= 0)
                {
                    observable.Add(seen);
                    baseline.Add(back);
                    injectCalls.Add(injectCall);
                    rollbackCalls.Add(rollbackCall);
                }
            }
            finally
            {
                observer.Stop();
            }
        }

        return new MakerResult(new(observable), new(baseline), new(injectCalls), new(rollbackCalls), observer.Describes);
    }

    private static async Task<double> WaitForAsync(IObserver observer, long t0, Seen state, string what, CancellationToken cancellationToken)
    {
        var deadline = Stopwatch.GetTimestamp() + (long)(Patience.TotalSeconds * Stopwatch.Frequency);
        while (true)
        {
            if (observer.Since(t0, state) is { } ms)
            {
                return ms;
            }

            if (Stopwatch.GetTimestamp() > deadline)
            {
                throw new TimeoutException($"{what}: not observed within {Patience.TotalSeconds} s.");
            }

            await Task.Delay(5, cancellationToken);
        }
    }
}
