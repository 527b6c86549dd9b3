using System.Text.Json;
using Faultline.Plugins.Network.Actions;
using Faultline.Plugins.Network.Tests.Lab;
using Faultline.Sdk.Injection;
using Faultline.Sdk.Targets;
using Faultline.Sdk.Testing;
using Faultline.Testing;

namespace Faultline.Plugins.Network.Tests.Injection;

/// <summary>
/// The SDK's conformance kit against the network injectors, one per engine this machine has: inject, verify,
/// rollback, verify clean, rollback twice, rollback from the handle alone in a fresh process (the CLI), leftover
/// detection, and the parameter schema agreeing with validation.
/// </summary>
public abstract class NetworkConformanceTests(NetworkAction action) : InjectorConformanceTests
{
    private NetworkLab? _lab;

    protected override string? PluginDirectory => Path.Combine(RepositoryRoot.Path, "artifacts", "plugins", "faultline.network");

    protected override string? FaultlineCli
    {
        get
        {
            var configuration = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar)).Parent!.Name;
            return Path.Combine(RepositoryRoot.Path, "src", "Faultline", "bin", configuration, "net10.0", "faultline.dll");
        }
    }

    protected override IFaultInjector CreateInjector(string stateDirectory) => new NetworkInjector(action, NetworkFaultFixture.NewFaults(stateDirectory));

    protected override async Task<Target> CreateTargetAsync()
    {
        LabRequirements.Require("ip", "nsenter", "tc", "nft", "iptables");
        _lab = await NetworkLab.CreateAsync(TestContext.Current.CancellationToken);
        return Target.Of(TargetKinds.NetworkInterface, $"{_lab.NameA}/{_lab.InterfaceA}");
    }

    protected override async Task DisposeTargetAsync(Target target)
    {
        if (_lab is not null)
        {
            await _lab.DisposeAsync();
        }
    }

    protected static JsonElement Json(string text) => JsonDocument.Parse(text).RootElement.Clone();
}

public sealed class LossConformanceTests() : NetworkConformanceTests(NetworkAction.Loss)
{
    protected override JsonElement ValidParameters => Json("""{ "percent": 10, "direction": "to", "externalTargets": ["10.0.0.0/8"], "ports": [80] }""");

    protected override IEnumerable<(JsonElement Parameters, string ErrorPath)> InvalidParameters =>
    [
        (Json("""{ "percent": 101 }"""), "$.percent"),
        (Json("""{ "percent": -3 }"""), "$.percent"),
        (Json("""{ "percent": 10, "ports": [70000] }"""), "$.ports[0]"),
        (Json("""{ "percent": 10, "colour": "red" }"""), "$.colour"),
        (Json("[1]"), "$"),
    ];
}

public sealed class BandwidthConformanceTests() : NetworkConformanceTests(NetworkAction.Bandwidth)
{
    protected override JsonElement ValidParameters => Json("""{ "rate": "1mbps", "limit": 20000, "burst": 10000 }""");

    protected override IEnumerable<(JsonElement Parameters, string ErrorPath)> InvalidParameters =>
    [
        (Json("""{ "rate": "fast", "limit": 20000, "burst": 10000 }"""), "$.rate"),
        (Json("""{ "rate": "1mbps", "limit": 0, "burst": 10000 }"""), "$.limit"),
        (Json("""{ "rate": "1mbps", "limit": 20000 }"""), "$.burst"),
    ];
}

public sealed class PartitionConformanceTests() : NetworkConformanceTests(NetworkAction.Partition)
{
    protected override JsonElement ValidParameters => Json("""{ "direction": "both", "externalTargets": ["10.9.9.9"] }""");

    protected override IEnumerable<(JsonElement Parameters, string ErrorPath)> InvalidParameters =>
    [
        (Json("""{ "direction": "sideways" }"""), "$.direction"),
        (Json("""{ "externalTargets": ["not-an-address"] }"""), "$.externalTargets[0]"),
    ];
}
