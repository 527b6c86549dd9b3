using Faultline.Plugins.Network.Actions;
using Faultline.Plugins.Network.Host;

namespace Faultline.Plugins.Network.Engines;

/// <summary>
/// Picks the engine for a fault on this host: netem where the kernel has it and the fault fits it (egress; with
/// destination or port filters, also tc prio and u32 to put it behind them), otherwise the fallbacks; a
/// combination no engine here can honour is refused with the field to change, before anything is injected.
/// </summary>
public static class EngineChoice
{
    public static EngineKind? Choose(NetworkParameters parameters, HostCapabilities host, out (string Path, string Message)? refusal)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        ArgumentNullException.ThrowIfNull(host);
        refusal = null;
        var filtersFit = !parameters.IsFiltered || host.TcFilters;
        var netemFits = host.Netem && parameters.Direction == Direction.To && filtersFit;
        var netemNeeds = parameters.IsFiltered ? "tc netem on egress, and tc prio with u32 filters to restrict it to the destinations and ports" : "tc netem on egress";
        switch (parameters.Action)
        {
            case NetworkAction.Bandwidth:
                if (parameters.Direction != Direction.To)
                {
                    return Refuse(out refusal, "$.direction", "bandwidth is shaped on the way out only (tbf on egress): apply it to the sending side with direction: to.");
                }

                if (!host.Tbf)
                {
                    return Refuse(out refusal, "$.rate", $"this host cannot shape bandwidth ({host}).");
                }

                return filtersFit
                    ? EngineKind.Tbf
                    : Refuse(out refusal, "$.externalTargets", $"bandwidth for some destinations or ports only needs tbf under tc prio with u32 filters, which this host lacks; remove the filters to shape all traffic of the interface ({host}).");
            case NetworkAction.Partition:
                return host.Nftables ? EngineKind.Nftables : Refuse(out refusal, "$", $"a partition needs nftables, which this host lacks ({host}).");
            case NetworkAction.Reorder:
                return netemFits ? EngineKind.Netem : Refuse(out refusal, "$.percent", $"reordering needs {netemNeeds} ({host}).");
            case NetworkAction.Delay:
                if (parameters.Reorder is not null && !netemFits)
                {
                    return Refuse(out refusal, "$.reorder", $"reordering needs {netemNeeds} ({host}).");
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
                    return Refuse(out refusal, "$.correlation", $"correlated {NetworkActions.Name(parameters.Action)} needs {netemNeeds}; nftables draws each packet independently. Remove the correlation{(parameters.IsFiltered && host.Netem ? " or the filters" : "")} ({host}).");
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
