using Faultline.Plugins.Network.Actions;
using Faultline.Plugins.Network.Engines;
using Faultline.Plugins.Network.Host;
using Faultline.Plugins.Network.Targets;
using Faultline.Sdk.Plugins;

namespace Faultline.Plugins.Network;

/// <summary>
/// What all network injectors of one host share: the command runner, the one-time capability probe, the fault
/// journal, and the engines (the NFQUEUE one owns the delayers running in this process).
/// </summary>
public sealed class NetworkFaults : IAsyncDisposable
{
    private readonly Dictionary<EngineKind, INetworkEngine> _engines;
    private readonly HostProbe _probe;

    public NetworkFaults(string stateDirectory, IPacketDelayer delayer, IPluginLog? log = null)
    {
        Commands = new HostCommands();
        _probe = new HostProbe(Commands);
        Journal = new FaultJournal(stateDirectory);
        NfQueue = new NfQueueEngine(Commands, delayer);
        _engines = new Dictionary<EngineKind, INetworkEngine>
        {
            [EngineKind.Netem] = new TcEngine(EngineKind.Netem, Commands, Journal),
            [EngineKind.Tbf] = new TcEngine(EngineKind.Tbf, Commands, Journal),
            [EngineKind.Nftables] = new NftEngine(Commands),
            [EngineKind.NfQueue] = NfQueue,
        };
        Log = log;
    }

    public HostCommands Commands { get; }

    public FaultJournal Journal { get; }

    public NfQueueEngine NfQueue { get; }

    public IPluginLog? Log { get; }

    public IReadOnlyCollection<INetworkEngine> Engines => _engines.Values;

    public INetworkEngine Engine(EngineKind kind) => _engines[kind];

    public Task<HostCapabilities> CapabilitiesAsync(CancellationToken cancellationToken) => _probe.CapabilitiesAsync(cancellationToken);

    /// <summary>The claims of a fault on a target: faults sharing one never run on the target together.</summary>
    public static IReadOnlyList<string> ClaimsOf(NetworkTarget target, NetworkParameters parameters, EngineKind engine)
    {
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(parameters);
        return engine switch
        {
            // One root qdisc per interface: a second netem or tbf fault, filtered (under a prio root) or not, would
            // replace or stack on the first.
            EngineKind.Netem or EngineKind.Tbf => [$"netdev:{target.Key}:root-qdisc"],
            EngineKind.NfQueue => [$"netdev:{target.Key}:nfqueue:{parameters.Direction.ToString().ToLowerInvariant()}"],
            _ => [$"netdev:{target.Key}:nft:{NetworkActions.Name(parameters.Action)}:{parameters.Direction.ToString().ToLowerInvariant()}"],
        };
    }

    public async ValueTask DisposeAsync()
    {
        await NfQueue.DisposeAsync();
        _probe.Dispose();
    }
}
