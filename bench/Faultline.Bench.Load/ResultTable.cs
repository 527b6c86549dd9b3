using System.Globalization;
using System.Text;

namespace Faultline.Bench.Load;

/// <summary>The human-readable report: machine, settings, one row per scenario, then any errors in full.</summary>
internal static class ResultTable
{
    /// <summary>Above this, a competing build or test run has visibly taken cores away from the run.</summary>
    private const double OtherLoadWarningPercent = 10;

    public static string Render(MachineInfo machine, BenchOptions options, DateTimeOffset date, IReadOnlyList<ScenarioResult> results)
    {
        var text = new StringBuilder();
        void Line(string line = "") => text.Append(line).Append('\n');
        string F(FormattableString value) => value.ToString(CultureInfo.InvariantCulture);

        Line(F($"Faultline REST API load benchmark, {date:yyyy-MM-dd HH:mm} UTC"));
        Line(F($"Machine: {machine.ProcessorCount} logical CPUs ({machine.CpuModel}), {Gib(machine.TotalMemoryBytes)} GiB RAM ({Gib(machine.GcAvailableMemoryBytes)} GiB available to the GC)"));
        Line(F($"OS: {machine.Os}; runtime: {machine.Runtime}, {machine.Gc} GC"));
        Line(F($"Load: closed loop, {options.Connections} connections, {options.Warmup.TotalSeconds:0.#} s warm-up + {options.Duration.TotalSeconds:0.#} s measured per scenario, HTTP/1.1 on loopback"));
        Line(F($"Note: client and server share the same {machine.ProcessorCount} cores (in-process load generator), and PostgreSQL runs on them too."));
        Line();

        var floor = results.FirstOrDefault(r => r.Scenario == Scenarios.FloorName);
        var nameWidth = Math.Max(8, results.Max(r => r.Scenario.Length));
        var header = F($"{"Scenario".PadRight(nameWidth)}  {"Requests",9}  {"Errors",6}  {"req/s",9}  {"p50 ms",7}  {"p99 ms",7}  {"conns",5}  vs floor");
        Line(header);
        Line(new string('-', header.Length + 34));
        foreach (var result in results)
        {
            var ratio = floor is null ? "" : ReferenceEquals(result, floor) ? "(floor)" : FloorRatio.Of(result, floor).ToString();
            Line(F($"{result.Scenario.PadRight(nameWidth)}  {result.Requests,9:N0}  {result.Errors,6:N0}  {result.RequestsPerSecond,9:N0}  {result.P50Ms,7:0.00}  {result.P99Ms,7:0.00}  {result.ConnectionsOpened,5}  {ratio}"));
        }

        if (results.Any(r => r.Cpu is not null))
        {
            Line();
            Line(F($"CPU during each measured window, % of all {machine.ProcessorCount} cores (bench = load generator + server, one process):"));
            Line(F($"{"Scenario".PadRight(nameWidth)}  {"bench",6}  {"postgres",8}  {"other",6}  {"steal",6}"));
            foreach (var result in results.Where(r => r.Cpu is not null))
            {
                var cpu = result.Cpu!;
                Line(F($"{result.Scenario.PadRight(nameWidth)}  {cpu.Bench,6:0.0}  {cpu.Postgres,8:0.0}  {cpu.Other,6:0.0}  {cpu.Steal,6:0.0}"));
            }

            if (results.Any(r => r.Cpu is { } c && c.Other + c.Steal > OtherLoadWarningPercent))
            {
                Line(F($"WARNING: other processes (or the hypervisor) took more than {OtherLoadWarningPercent} % of the machine during a run; its figures are low. Rerun on a quiet machine."));
            }
        }

        foreach (var result in results.Where(r => r.Errors > 0))
        {
            Line();
            Line(F($"ERRORS in {result.Scenario}: {result.Errors:N0} of {result.Requests:N0} requests failed ({string.Join(", ", result.ErrorsByKind.Select(e => F($"{e.Key} x{e.Value:N0}")))})"));
            Line(F($"  first: {result.FirstErrorDetail}"));
        }

        foreach (var result in results.Where(r => r.ConnectionsOpened != r.Connections))
        {
            Line();
            Line(F($"NOTE: {result.Scenario} opened {result.ConnectionsOpened} connections for {result.Connections} workers (connections were dropped and redialled, or never all used)."));
        }

        return text.ToString();
    }

    private static string Gib(long bytes) => (bytes / (1024.0 * 1024 * 1024)).ToString("0.0", CultureInfo.InvariantCulture);
}
