using System.Globalization;
using System.Net.Sockets;
using Faultline.Plugins.Network.Actions;

namespace Faultline.Plugins.Network.Engines;

/// <summary>
/// The nftables ruleset of one fault: a table of its own (<c>faultline_&lt;fault id&gt;</c>, with the fault id in
/// its comment), a chain on the output hook for traffic leaving the target and one on prerouting for traffic
/// arriving, each rule limited to the interface and the fault's destinations and ports.
/// </summary>
public static class NftRules
{
    /// <summary>The table family a fault needs: dup exists in the ip family only.</summary>
    public static string FamilyFor(NetworkAction action) => action == NetworkAction.Duplicate ? "ip" : "inet";

    public static string Ruleset(EngineState state, NetworkParameters parameters)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(parameters);
        var table = state.Table ?? EngineState.TableFor(state.FaultId);
        var lines = new List<string> { $"table {state.TableFamily} {table} {{", $"  comment \"{state.Comment}\"" };
        if (parameters.Direction is Direction.To or Direction.Both)
        {
            lines.Add("  chain egress {");
            lines.Add("    type filter hook output priority 0; policy accept;");
            lines.AddRange(Rules(state, parameters, outgoing: true).Select(rule => "    " + rule));
            lines.Add("  }");
        }

        if (parameters.Direction is Direction.From or Direction.Both)
        {
            lines.Add("  chain ingress {");
            lines.Add("    type filter hook prerouting priority 0; policy accept;");
            lines.AddRange(Rules(state, parameters, outgoing: false).Select(rule => "    " + rule));
            lines.Add("  }");
        }

        lines.Add("}");
        return string.Join('\n', lines) + "\n";
    }

    private static IEnumerable<string> Rules(EngineState state, NetworkParameters p, bool outgoing)
    {
        var device = outgoing ? $"oifname \"{state.Interface}\"" : $"iifname \"{state.Interface}\"";
        var ports = p.Ports.Count == 0 ? "" : $" meta l4proto {{ tcp, udp }} th {(outgoing ? "dport" : "sport")} {{ {string.Join(", ", p.Ports)} }}";
        var comment = $" comment \"{state.Comment}\"";

        // One rule per address family that is matched: an IPv4 address match never sees IPv6 packets.
        var families = p.Destinations.Count == 0
            ? [(Family: (string?)null, Match: "")]
            : p.Destinations.GroupBy(d => d.BaseAddress.AddressFamily).Select(group =>
            {
                var family = group.Key == AddressFamily.InterNetwork ? "ip" : "ip6";
                return (Family: (string?)family, Match: $" {family} {(outgoing ? "daddr" : "saddr")} {{ {string.Join(", ", group.Select(n => n.ToString()))} }}");
            }).ToList();

        foreach (var (family, match) in families)
        {
            var prefix = device + match + ports;
            // numgen draws 0-9999; at 100% every packet is hit, which nft can only say without the draw.
            var hundredths = (int)Math.Round(p.Percent * 100);
            var chance = hundredths >= 10000 ? "" : $"numgen random mod 10000 < {hundredths.ToString(CultureInfo.InvariantCulture)}";
            switch (p.Action)
            {
                case NetworkAction.Partition:
                    yield return $"{prefix} drop{comment}";
                    break;
                case NetworkAction.Loss:
                    yield return $"{prefix} {chance} drop{comment}";
                    break;
                case NetworkAction.Duplicate:
                    // dup sends a copy to the packet's own destination through the same interface. It exists in the
                    // ip family only (not inet), so duplication in this engine is IPv4 (the table is an ip table).
                    yield return $"{prefix} {chance} dup to ip daddr device \"{state.Interface}\"{comment}";
                    break;
                case NetworkAction.Corrupt:
                    // Overwrites 4 bytes 40 bytes into the transport header: payload for TCP (20-40 byte header with
                    // options) and UDP alike, in packets long enough to carry data; the kernel fixes the checksum up,
                    // so the receiver takes the damage for data, as a bad link or buggy middlebox would deliver it.
                    yield return $"{prefix} meta l4proto {{ tcp, udp }} meta length > 100 {chance} @th,320,32 set 0x5a5a5a5a{comment}";
                    break;
                default:
                    throw new InvalidOperationException($"nftables does not do {p.Action}.");
            }
        }
    }
}
