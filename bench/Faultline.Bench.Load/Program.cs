using Faultline.Bench;
using System.Globalization;
using System.Runtime.InteropServices;
using Faultline.Bench.Load;

var options = BenchOptions.Parse(args, out var error);
if (options is null)
{
    if (!string.IsNullOrEmpty(error))
    {
        await Console.Error.WriteLineAsync(error);
    }

    await Console.Error.WriteLineAsync(BenchOptions.Usage);
    return string.IsNullOrEmpty(error) ? 0 : 2;
}

using var stop = new CancellationTokenSource();

// The first Ctrl-C (or SIGTERM) stops the run and still tears the server and database down; a second
// one is left to the runtime, which kills the process, for when the teardown itself hangs.
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
var results = new List<ScenarioResult>();
try
{
    Console.WriteLine("Starting embedded PostgreSQL and a Faultline node on loopback ...");
    await using var server = await BenchServer.StartAsync(stop.Token);
    Console.WriteLine($"Server at {server.BaseAddress}; seeding 20 teams.");
    await TeamSeeder.SeedAsync(server.BaseAddress, server.OwnerKey, 20, stop.Token);

    var runner = new ClosedLoopRunner(server.BaseAddress, server.PostmasterPid, options);
    foreach (var scenario in Scenarios.All(server.OwnerKey))
    {
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"Running {scenario.Name}: {options.Warmup.TotalSeconds:0.#} s warm-up + {options.Duration.TotalSeconds:0.#} s, {options.Connections} connections ..."));
        results.Add(await runner.RunAsync(scenario, stop.Token));
    }

    Console.WriteLine("Stopping the server and PostgreSQL ...");
}
catch (OperationCanceledException) when (stop.IsCancellationRequested)
{
    await Console.Error.WriteLineAsync("Interrupted; the server and the database were stopped and the temp directory removed.");
    return 130;
}

Console.WriteLine();
Console.Write(ResultTable.Render(machine, options, date, results));
if (options.JsonPath is not null)
{
    await BenchReport.From(machine, options, date, results).WriteAsync(options.JsonPath, CancellationToken.None);
    Console.WriteLine($"JSON written to {Path.GetFullPath(options.JsonPath)}");
}

// A run with errors still prints every figure, but scripts and CI should see that it was not clean.
return results.Any(r => r.Errors > 0) ? 1 : 0;
