using System.Text.Json;
using Faultline.Plugins.Network.Actions;
using Faultline.Plugins.Network.Engines;
using Faultline.Plugins.Network.Tests.Lab;
using Faultline.Sdk.Injection;
using Faultline.Sdk.Targets;

namespace Faultline.Plugins.Network.Tests.Injection;

/// <summary>
/// A lab (two namespaces, a veth pair, a server in B) and the network injectors over a state directory of their
/// own, aimed at A's end of the veth: what every injector test starts from.
/// </summary>
internal sealed class NetworkFaultFixture : IAsyncDisposable
{
    private NetworkFaultFixture(NetworkLab lab, string state, NetworkFaults faults)
    {
        Lab = lab;
        StateDirectory = state;
        Faults = faults;
    }

    public NetworkLab Lab { get; }

    public string StateDirectory { get; }

    public NetworkFaults Faults { get; }

    public Target Target => Sdk.Targets.Target.Of(TargetKinds.NetworkInterface, $"{Lab.NameA}/{Lab.InterfaceA}");

    public static async Task<NetworkFaultFixture> CreateAsync()
    {
        LabRequirements.Require("ip", "nsenter", "tc", "nft", "iptables", "ping");
        var lab = await NetworkLab.CreateAsync(TestContext.Current.CancellationToken);
        var state = Directory.CreateTempSubdirectory("faultline-network-state-").FullName;
        return new NetworkFaultFixture(lab, state, NewFaults(state));
    }

    /// <summary>Another set of injectors over the same state, as a fresh process after a crash would have.</summary>
    public static NetworkFaults NewFaults(string state) => new(state, new NfQueuePacketDelayer(new TestLog()));

    public NetworkInjector Injector(NetworkAction action, NetworkFaults? faults = null) => new(action, faults ?? Faults);

    public FaultRequest Request(string json, string? faultId = null) => new(
        faultId ?? $"test-{Guid.NewGuid():N}",
        Guid.NewGuid(),
        Target,
        JsonDocument.Parse(json).RootElement.Clone(),
        TimeSpan.FromMinutes(5),
        DateTimeOffset.UtcNow.AddMinutes(5));

    /// <summary>Fails the test unless A's namespace is as the kernel made it: no qdisc, filter, table or rule left.</summary>
    public async Task AssertNoTraceAsync()
    {
        var residue = await Lab.InspectAAsync(TestContext.Current.CancellationToken);
        Assert.False(residue.HasTrace, residue.ToString());
    }

    public async ValueTask DisposeAsync()
    {
        await Faults.DisposeAsync();
        await Lab.DisposeAsync();
        if (Directory.Exists(StateDirectory))
        {
            Directory.Delete(StateDirectory, recursive: true);
        }
    }

    private sealed class TestLog : Sdk.Plugins.IPluginLog
    {
        public void Info(string message)
        {
        }

        public void Warn(string message) => TestContext.Current.SendDiagnosticMessage(message);

        public void Fail(string message, Exception? exception = null) => TestContext.Current.SendDiagnosticMessage($"{message} {exception}");
    }
}
