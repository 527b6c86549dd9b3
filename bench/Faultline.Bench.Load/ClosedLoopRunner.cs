using System.Diagnostics;
using System.Net.Sockets;

namespace Faultline.Bench.Load;

/// <summary>
/// Drives one scenario with exactly N connections: one worker per connection, each with at most one
/// request in flight, so offered load follows the server's speed (closed loop) instead of queueing up.
/// Warm-up and measurement are one continuous run, so connections, pools and JIT stay warm across the
/// boundary; a request counts when it completes inside the measured window.
/// </summary>
internal sealed class ClosedLoopRunner(Uri baseAddress, int? postmasterPid, BenchOptions options)
{
    public async Task<ScenarioResult> RunAsync(Scenario scenario, CancellationToken cancellationToken)
    {
        var opened = 0;
        using var handler = new SocketsHttpHandler
        {
            MaxConnectionsPerServer = options.Connections,

            // Loopback only: a proxy from the environment must never carry this traffic.
            UseProxy = false,

            // Counting the connections proves the run used N and that none were dropped and redialled.
            ConnectCallback = async (context, token) =>
            {
                Interlocked.Increment(ref opened);
                var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
                try
                {
                    await socket.ConnectAsync(context.DnsEndPoint, token);
                    return new NetworkStream(socket, ownsSocket: true);
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
            },
        };
        using var client = new HttpClient(handler) { BaseAddress = baseAddress, Timeout = TimeSpan.FromSeconds(30) };

        // Sized for ~100k req/s in total: enough that the list never grows while measuring on small machines.
        var expectedPerWorker = (int)Math.Min(1_000_000, 100_000 * options.Duration.TotalSeconds / options.Connections);
        var workers = Enumerable.Range(0, options.Connections).Select(_ => new LoadWorker(expectedPerWorker)).ToArray();

        var start = Stopwatch.GetTimestamp();
        var measureFrom = start + (long)(options.Warmup.TotalSeconds * Stopwatch.Frequency);
        var measureUntil = measureFrom + (long)(options.Duration.TotalSeconds * Stopwatch.Frequency);

        var cpu = MeasureCpuAsync(measureFrom, measureUntil, cancellationToken);

        // Task.Run: every worker starts on the thread pool at once instead of the first ones running
        // synchronously up to their first await while the others wait to be created.
        await Task.WhenAll(workers.Select(worker => Task.Run(() => worker.RunAsync(client, scenario, measureFrom, measureUntil, cancellationToken), cancellationToken)));

        var latencies = new Percentiles(workers.Select(w => w.Latencies));
        var errorsByKind = workers.SelectMany(w => w.Errors)
            .GroupBy(e => e.Key, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.Sum(e => e.Value), StringComparer.Ordinal);
        var errors = errorsByKind.Values.Sum(v => (long)v);
        var seconds = options.Duration.TotalSeconds;
        return new ScenarioResult(
            scenario.Name,
            scenario.Description,
            options.Connections,
            opened,
            seconds,
            latencies.Count + errors,
            errors,
            errorsByKind,
            workers.Select(w => w.FirstErrorDetail).FirstOrDefault(d => d is not null),
            latencies.Count / seconds,
            latencies.Milliseconds(50),
            latencies.Milliseconds(90),
            latencies.Milliseconds(99),
            latencies.Milliseconds(100),
            await cpu);
    }

    private async Task<CpuUsage?> MeasureCpuAsync(long measureFrom, long measureUntil, CancellationToken cancellationToken)
    {
        await DelayUntilAsync(measureFrom, cancellationToken);
        var before = CpuSnapshot.Take(postmasterPid);
        await DelayUntilAsync(measureUntil, cancellationToken);
        return CpuUsage.Between(before, CpuSnapshot.Take(postmasterPid));
    }

    private static Task DelayUntilAsync(long timestamp, CancellationToken cancellationToken)
    {
        var wait = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), timestamp);
        return wait > TimeSpan.Zero ? Task.Delay(wait, cancellationToken) : Task.CompletedTask;
    }
}
