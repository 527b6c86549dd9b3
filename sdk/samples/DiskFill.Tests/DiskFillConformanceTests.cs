using System.Reflection;
using System.Text.Json;
using Faultline.Sdk.Injection;
using Faultline.Sdk.Targets;
using Faultline.Sdk.Testing;

namespace Acme.Faultline.DiskFill.Tests;

/// <summary>
/// The whole injector contract, from the conformance kit, against a real temporary directory. The fresh-process
/// rollback runs when FAULTLINE_CLI names faultline.dll (it skips otherwise); it loads the plugin from the
/// folder this build staged, or from FAULTLINE_PLUGIN_DIR.
/// </summary>
public sealed class DiskFillConformanceTests : InjectorConformanceTests
{
    protected override JsonElement ValidParameters => Json("""{"megabytes": 2}""");

    protected override IEnumerable<(JsonElement Parameters, string ErrorPath)> InvalidParameters =>
    [
        (Json("""{"megabytes": 0}"""), "$.megabytes"),
        (Json("""{"megabytes": 5000}"""), "$.megabytes"),
        (Json("""{"megabytes": "x"}"""), "$.megabytes"),
        (Json("""{}"""), "$.megabytes"),
        (Json("""{"megabytes": 1, "extra": 1}"""), "$.extra"),
    ];

    protected override string? PluginDirectory =>
        Environment.GetEnvironmentVariable("FAULTLINE_PLUGIN_DIR") ??
        typeof(DiskFillConformanceTests).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .FirstOrDefault(a => a.Key == "FaultlinePluginDirectory")?.Value;

    protected override IFaultInjector CreateInjector(string stateDirectory) => new DiskFillInjector();

    protected override Task<Target> CreateTargetAsync()
    {
        var directory = Directory.CreateTempSubdirectory("disk-fill-target-").FullName;
        return Task.FromResult(Target.Of(TargetKinds.Directory, directory));
    }

    protected override Task DisposeTargetAsync(Target target)
    {
        // Deleting the directory takes any fill a failed assertion left with it; the kit's own cleanup rollback
        // afterwards still stops that fault's watchdog, which rollback finds by path, not through the directory.
        Directory.Delete(target.Id, recursive: true);
        return Task.CompletedTask;
    }

    private static JsonElement Json(string json)
    {
        using var document = JsonDocument.Parse(json);
        return document.RootElement.Clone();
    }
}
