using System.Text.Json;
using Faultline.Plugins.Network.Host;
using Faultline.Plugins.Network.Namespaces;

namespace Faultline.Plugins.Network.Tests.Lab;

/// <summary>
/// Reads what traffic control and the firewalls hold in a namespace: devices (<c>ip -j link</c>), qdiscs
/// (<c>tc -j qdisc show</c>, every device), the filters on every qdisc that can hold them (<c>tc -j filter show</c>:
/// a u32 filter Faultline put under its prio), the nftables ruleset (<c>nft -j list ruleset</c>, which also shows
/// iptables-nft's rules) and <c>iptables-save</c>/<c>ip6tables-save</c>.
/// </summary>
public static class ResidueInspector
{
    private const string DefaultQdiscSysctl = "/proc/sys/net/core/default_qdisc";

    /// <param name="ns">The namespace to inspect.</param>
    /// <param name="expectedLinks">Devices that belong there besides lo (the lab's veth end).</param>
    /// <param name="cancellationToken">Stops the commands.</param>
    public static async Task<ResidueReport> InspectAsync(NetworkNamespace ns, IReadOnlyCollection<string> expectedLinks, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(expectedLinks);
        LabRequirements.Require("nsenter", "ip", "tc", "nft", "iptables-save", "ip6tables-save");
        var commands = new HostCommands();
        var links = await commands.RunCheckedAsync(ns, "ip", ["-j", "link", "show"], cancellationToken);
        var qdiscs = await commands.RunCheckedAsync(ns, "tc", ["-j", "qdisc", "show"], cancellationToken);
        var nft = await commands.RunCheckedAsync(ns, "nft", ["-j", "list", "ruleset"], cancellationToken);
        var ipv4 = await commands.RunCheckedAsync(ns, "iptables-save", [], cancellationToken);
        var ipv6 = await commands.RunCheckedAsync(ns, "ip6tables-save", [], cancellationToken);

        // A host configured with another default (fq, cake) gives new devices that one: still the kernel's doing.
        var defaultQdisc = File.Exists(DefaultQdiscSysctl) ? (await File.ReadAllTextAsync(DefaultQdiscSysctl, cancellationToken)).Trim() : null;
        var qdiscEntries = QdiscEntry.ParseShow(qdiscs.Output, defaultQdisc);
        var filters = new List<FilterEntry>();
        foreach (var qdisc in qdiscEntries.Where(qdisc => !qdisc.IsDefault))
        {
            foreach (var parent in FilterParents(qdisc))
            {
                var shown = await commands.RunCheckedAsync(ns, "tc", ["-j", "filter", "show", "dev", qdisc.Device, .. parent], cancellationToken);
                filters.AddRange(FilterEntry.ParseShow(shown.Output, qdisc.Device, string.Join(' ', parent)));
            }
        }

        return new ResidueReport(
            ns,
            [.. LinkNames(links.Output).Where(name => name != "lo" && !expectedLinks.Contains(name))],
            qdiscEntries,
            filters,
            NftTable.ParseRuleset(nft.Output),
            [.. IptablesTable.ParseSave(ipv4.Output, "ipv4"), .. IptablesTable.ParseSave(ipv6.Output, "ipv6")],
            nft.Output,
            ipv4.Output + ipv6.Output);
    }

    /// <summary>Where a qdisc's filters hang: a clsact's two hooks, an ingress qdisc's one, otherwise the qdisc itself.</summary>
    private static IReadOnlyList<string[]> FilterParents(QdiscEntry qdisc) => qdisc.Kind switch
    {
        "clsact" => [["ingress"], ["egress"]],
        "ingress" => [["ingress"]],
        _ => [["parent", qdisc.Handle]],
    };

    private static List<string> LinkNames(string json)
    {
        using var document = JsonDocument.Parse(json);
        return [.. document.RootElement.EnumerateArray().Select(link => link.GetProperty("ifname").GetString()!)];
    }
}
