using System.Reflection;
using System.Text.Json;
using Faultline.Sdk.Injection;
using Faultline.Sdk.Targets;
using Faultline.Sdk.Testing;

namespace Company.Faultline.MyFault.Tests;

/// <summary>
/// The whole injector contract, from Faultline's conformance kit, against a real temporary directory. Keep it
/// when you replace the marker with your fault: give it a real target of your kind and real parameters.
/// The fresh-process rollback runs when FAULTLINE_CLI names faultline.dll (it is skipped otherwise).
/// </summary>
public sealed class MarkerFileInjectorConformanceTests : InjectorConformanceTests
{
    protected override JsonElement ValidParameters => Json("""{"note": "hello from a conformance test"}""");

    protected override IEnumerable<(JsonElement Parameters, string ErrorPath)> InvalidParameters =>
    [
        (Json("""{"note": 42}"""), "$.note"),
        (Json("""{"unknown": true}"""), "$.unknown"),
    ];

    protected override string? PluginDirectory =>
        Environment.GetEnvironmentVariable("FAULTLINE_PLUGIN_DIR") ??
        typeof(MarkerFileInjectorConformanceTests).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .FirstOrDefault(a => a.Key == "FaultlinePluginDirectory")?.Value;

    protected override IFaultInjector CreateInjector(string stateDirectory) => new MarkerFileInjector();

    protected override Task<Target> CreateTargetAsync() =>
        Task.FromResult(Target.Of(TargetKinds.Directory, Directory.CreateTempSubdirectory("faultline-marker-target-").FullName));

    protected override Task DisposeTargetAsync(Target target)
    {
        Directory.Delete(target.Id, recursive: true);
        return Task.CompletedTask;
    }

    private static JsonElement Json(string json)
    {
        using var document = JsonDocument.Parse(json);
        return document.RootElement.Clone();
    }
}
