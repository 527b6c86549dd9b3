using Faultline.Plugins.Network.Actions;
using Faultline.Plugins.Network.Host;

namespace Faultline.Plugins.Network.Engines;

/// <summary>
/// Picks the engine for a fault on this host: netem where the kernel has it and the fault fits it (egress, no
/// destination filter), otherwise the fallbacks; a combination no engine here can honour is refused with the
/// field to change, before anything is injected.
/// </summary>
public static class EngineChoice
{
    public static EngineKind? Choose(NetworkParameters parameters, HostCapabilities host, out (string Path, string Message)? refusal)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        ArgumentNullException.ThrowIfNull(host);
        refusal = null;
        var netemFits = host.Netem && parameters.Direction == Direction.To && !parameters.IsFiltered;
        switch (parameters.Action)
        {
            case NetworkAction.Bandwidth:
                if (parameters.Direction != Direction.To)
                {
                    return Refuse(out refusal, "$.direction", "bandwidth is shaped on the way out only (tbf on egress): apply it to the sending side with direction: to.");
                }

                if (parameters.IsFiltered)
                {
                    return Refuse(out refusal, "$.externalTargets", "bandwidth applies to all traffic of the interface; destination filters need classful qdiscs this host does not offer.");
                }

                return host.Tbf ? EngineKind.Tbf : Refuse(out refusal, "$.rate", $"this host cannot shape bandwidth ({host}).");
            case NetworkAction.Partition:
                return host.Nftables ? EngineKind.Nftables : Refuse(out refusal, "$", $"a partition needs nftables, which this host lacks ({host}).");
            case NetworkAction.Reorder:
                return netemFits ? EngineKind.Netem : Refuse(out refusal, "$.percent", $"reordering needs tc netem on egress without destination filters ({host}).");
            case NetworkAction.Delay:
                if (parameters.Reorder is not null && !netemFits)
                {
                    return Refuse(out refusal, "$.reorder", $"reordering needs tc netem on egress without destination filters ({host}).");
                }

                if (netemFits)
                {
                    return EngineKind.Netem;
                }

                return host.NfQueue ? EngineKind.NfQueue : Refuse(out refusal, "$.latency", $"this host has neither netem nor iptables NFQUEUE to delay packets ({host}).");
            default:
                if (netemFits)
                {
                    return EngineKind.Netem;
                }

                if (parameters.Correlation > 0)
                {
                    return Refuse(out refusal, "$.correlation", $"correlated {NetworkActions.Name(parameters.Action)} needs tc netem on egress without filters; nftables draws each packet independently. Remove the correlation or the filters ({host}).");
                }

                return host.Nftables ? EngineKind.Nftables : Refuse(out refusal, "$.percent", $"this host has neither netem nor nftables ({host}).");
        }
    }

    private static EngineKind? Refuse(out (string Path, string Message)? refusal, string path, string message)
    {
        refusal = (path, message);
        return null;
    }
}
