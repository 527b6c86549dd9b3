using Faultline.Bench;
using System.Diagnostics;
using System.Runtime.InteropServices;
using Faultline.Bench.Engine;
using Faultline.Engine.Runs;
using Npgsql;

var options = EngineBenchOptions.Parse(args, out var error);
if (options is null)
{
    if (!string.IsNullOrEmpty(error))
    {
        await Console.Error.WriteLineAsync(error);
    }

    await Console.Error.WriteLineAsync(EngineBenchOptions.Usage);
    return string.IsNullOrEmpty(error) ? 0 : 2;
}

var faultlineDll = Path.GetFullPath(options.FaultlinePath ?? Path.Combine(RepositoryRoot.Path, "src", "Faultline", "bin", "Release", "net10.0", "faultline.dll"));
var pluginPath = Path.GetFullPath(options.PluginPath ?? Path.Combine(RepositoryRoot.Path, "artifacts", "plugins"));
if (!File.Exists(faultlineDll) || !Directory.Exists(Path.Combine(pluginPath, "faultline.noop")) || !Directory.Exists(Path.Combine(pluginPath, "faultline.http")))
{
    await Console.Error.WriteLineAsync(
        $"Needs {faultlineDll} and the noop and http plugins staged in {pluginPath}. bench/engine.sh builds them " +
        "(dotnet build src/Faultline -c Release; dotnet build plugins/Faultline.Plugins.Noop and plugins/Faultline.Plugins.Http).");
    return 2;
}

using var stop = new CancellationTokenSource();

// The first Ctrl-C (or SIGTERM) stops the run and still tears down the nodes, the server processes and the
// database; a second one is left to the runtime, which kills the process, for when the teardown itself hangs.
void OnSignal(PosixSignalContext context)
{
    if (!stop.IsCancellationRequested)
    {
        context.Cancel = true;
        Console.Error.WriteLine($"{context.Signal}: stopping the run and cleaning up (again to force quit).");
        stop.Cancel();
    }
}

using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal);
using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal);

var machine = MachineInfo.Read();
var date = DateTimeOffset.UtcNow;
var aborts = new List<AbortLatencyResult>();
string? prometheusSkipped = null;
TakeoverResult? takeover = null;
ThroughputResult? throughput = null;
string? failure = null;
try
{
    Console.WriteLine("Starting embedded PostgreSQL and the health endpoint on loopback ...");
    await using var database = await BenchDatabase.StartAsync(stop.Token);
    await using var health = await HealthSwitch.StartAsync(stop.Token);

    // Figures 1 and 3 share one in-process node (production engine defaults, the cap raised above the burst) over
    // a database of their own; figure 2 needs real processes and gets another database.
    var maxConcurrentRuns = Math.Max(new EngineOptions().MaxConcurrentRuns, options.ThroughputRuns);
    var connectionString = await database.CreateDatabaseAsync("engine", stop.Token);
    await using (var dataSource = NpgsqlDataSource.Create(connectionString))
    {
        var queries = new RunQueries(dataSource);
        await using var node = await BenchNode.StartAsync(
            connectionString, pluginPath, Path.Combine(database.Root, "node-state"), new EngineOptions { MaxConcurrentRuns = maxConcurrentRuns }, stop.Token);

        var clock = Stopwatch.StartNew();
        Console.WriteLine($"Figure 1, abort latency through the http probe: {options.AbortRuns} runs, {options.AbortParallel} at a time, guardrail every {options.GuardrailInterval.TotalSeconds:0.###} s ...");
        aborts.Add(await new AbortLatencyBenchmark(
            node, queries, health, new HttpBreachSource(health), options.AbortRuns, null, options, database.PostmasterPid).RunAsync(stop.Token));
        Console.WriteLine($"  done in {clock.Elapsed.TotalSeconds:0} s");

        prometheusSkipped = PrometheusAbort.WhySkipped(options, pluginPath, out var prometheusBinary);
        if (prometheusSkipped is not null)
        {
            Console.WriteLine($"Figure 1b, abort latency through real Prometheus: SKIPPED, {prometheusSkipped}");
        }
        else
        {
            clock.Restart();
            Console.WriteLine(
                $"Figure 1b, abort latency through real Prometheus ({prometheusBinary}, scrape every {options.ScrapeInterval.TotalSeconds:0.###} s): " +
                $"{options.AbortPrometheusRuns} runs, {options.AbortParallel} at a time, guardrail every {options.GuardrailInterval.TotalSeconds:0.###} s ...");

            // Prometheus runs only during its figure: its scrapes and compactions must not land in figure 3's CPU.
            await using var target = await ScrapeTarget.StartAsync(stop.Token);
            await using var prometheus = PrometheusProcess.Start(
                prometheusBinary!, Path.Combine(database.Root, "prometheus"), target.BaseAddress, ScrapeTarget.MetricsPath, options.ScrapeInterval);
            aborts.Add(await new AbortLatencyBenchmark(
                    node, queries, health, new PrometheusBreachSource(target, prometheus, options.ScrapeInterval), options.AbortPrometheusRuns, options.ScrapeInterval, options, database.PostmasterPid)
                .RunAsync(stop.Token));
            Console.WriteLine($"  done in {clock.Elapsed.TotalSeconds:0} s");
        }

        clock.Restart();
        Console.WriteLine($"Figure 3, throughput: {options.BaselineRuns} single run(s), then {options.ThroughputRuns} runs at once ...");
        throughput = await new ThroughputBenchmark(node, queries, health, options, maxConcurrentRuns, database.PostmasterPid).RunAsync(stop.Token);
        Console.WriteLine($"  done in {clock.Elapsed.TotalSeconds:0} s");
    }

    var takeoverClock = Stopwatch.StartNew();
    Console.WriteLine($"Figure 2, takeover: {options.Takeovers} kill -9 round(s) with `faultline server` processes ({faultlineDll}) ...");
    takeover = await new TakeoverBenchmark(database, health, options, faultlineDll, pluginPath).RunAsync(stop.Token);
    Console.WriteLine($"  done in {takeoverClock.Elapsed.TotalSeconds:0} s");

    Console.WriteLine("Stopping the node, the server processes and PostgreSQL ...");
}
catch (OperationCanceledException) when (stop.IsCancellationRequested)
{
    await Console.Error.WriteLineAsync("Interrupted; the nodes and the database were stopped and the temp directory removed.");
    return 130;
}
catch (Exception exception) when (exception is TimeoutException or InvalidOperationException or NpgsqlException or HttpRequestException or IOException)
{
    // The figures measured so far are still printed below; the failure says why the rest are missing.
    failure = $"{exception.GetType().Name}: {exception.Message}";
}

Console.WriteLine();
Console.Write(EngineReport.Render(machine, options, date, aborts, prometheusSkipped, takeover, throughput));
if (failure is not null)
{
    Console.WriteLine();
    Console.WriteLine($"FAILED: {failure}");
}

// A run with anomalies still prints every figure, but scripts and CI should see that it was not clean.
var anomalies = aborts.Sum(abort => abort.Anomalies.Count) + (takeover?.Anomalies.Count ?? 0) + (throughput?.Anomalies.Count ?? 0);
return failure is null && anomalies == 0 ? 0 : 1;
