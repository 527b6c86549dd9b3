using System.Text.Json;
using Faultline.Sdk.Injection;
using Faultline.Sdk.Targets;
using Faultline.Sdk.Testing;
using Faultline.Testing;

namespace Faultline.Plugins.Noop.Tests;

/// <summary>noop through the SDK's conformance kit, fresh-process rollback through the faultline CLI included.</summary>
public sealed class NoopConformanceTests : InjectorConformanceTests
{
    protected override string? PluginDirectory => Path.Combine(RepositoryRoot.Path, "artifacts", "plugins", "faultline.noop");

    protected override string? FaultlineCli
    {
        get
        {
            var configuration = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar)).Parent!.Name;
            return Path.Combine(RepositoryRoot.Path, "src", "Faultline", "bin", configuration, "net10.0", "faultline.dll");
        }
    }

    // Every parameter, at values that keep the fault well-behaved: the kit's lifecycle must pass with them set.
    protected override JsonElement ValidParameters =>
        JsonSerializer.SerializeToElement(new { failInject = false, injectDelay = "1ms", failVerify = false });

    protected override IEnumerable<(JsonElement Parameters, string ErrorPath)> InvalidParameters =>
    [
        (JsonSerializer.SerializeToElement(new { failInject = "yes" }), "$.failInject"),
        (JsonSerializer.SerializeToElement(new { failVerify = 1 }), "$.failVerify"),
        (JsonSerializer.SerializeToElement(new { injectDelay = "soon" }), "$.injectDelay"),
        (JsonSerializer.SerializeToElement(new { injectDelay = 200 }), "$.injectDelay"),
        (JsonSerializer.SerializeToElement(new { injectDelay = "200" }), "$.injectDelay"),
        (JsonSerializer.SerializeToElement(new { colour = "red" }), "$.colour"),
        (JsonDocument.Parse("[1]").RootElement, "$"),
    ];

    protected override IFaultInjector CreateInjector(string stateDirectory) => new NoopInjector(stateDirectory);

    protected override Task<Target> CreateTargetAsync() => Task.FromResult(Target.Of(NoopInjector.NoopTargetKind, $"t-{Guid.NewGuid():N}"));
}
