using System.Text.Json;
using System.Text.Json.Serialization;

namespace Faultline.Bench.Load;

/// <summary>The machine-readable report written by <c>--json</c>: the same figures as the table.</summary>
internal sealed record BenchReport(
    DateTimeOffset Date,
    MachineInfo Machine,
    int Connections,
    double WarmupSeconds,
    double DurationSeconds,
    string Note,
    IReadOnlyList<BenchReport.Row> Scenarios)
{
    private static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,

        // A scenario with no successful response has no percentiles; NaN says so better than a made-up 0.
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    public static BenchReport From(MachineInfo machine, BenchOptions options, DateTimeOffset date, IReadOnlyList<ScenarioResult> results)
    {
        var floor = results.FirstOrDefault(r => r.Scenario == Load.Scenarios.FloorName);
        return new BenchReport(
            date,
            machine,
            options.Connections,
            options.Warmup.TotalSeconds,
            options.Duration.TotalSeconds,
            $"Client and server share the same {machine.ProcessorCount} cores (in-process load generator), and PostgreSQL runs on them too.",
            [.. results.Select(r => new Row(r, floor is null ? null : FloorRatio.Of(r, floor)))]);
    }

    public async Task WriteAsync(string path, CancellationToken cancellationToken)
    {
        var directory = Path.GetDirectoryName(Path.GetFullPath(path));
        if (directory is not null)
        {
            Directory.CreateDirectory(directory);
        }

        await using var file = File.Create(path);
        await JsonSerializer.SerializeAsync(file, this, Json, cancellationToken);
    }

    /// <summary>One scenario's figures with its ratios to the floor.</summary>
    internal sealed record Row(ScenarioResult Result, FloorRatio? VsFloor);
}
