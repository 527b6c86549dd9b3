using Faultline.Plugins.Network.Namespaces;

namespace Faultline.Plugins.Network.Tests.Lab;

/// <summary>
/// The traffic-control and firewall state of one namespace, structured, with what in it is not the kernel's or the
/// lab's own: "after rollback the namespace has no trace" is <c>Assert.False(report.HasTrace, report.ToString())</c>.
/// </summary>
public sealed class ResidueReport(
    NetworkNamespace ns,
    IReadOnlyList<string> unexpectedLinks,
    IReadOnlyList<QdiscEntry> qdiscs,
    IReadOnlyList<FilterEntry> filters,
    IReadOnlyList<NftTable> nftTables,
    IReadOnlyList<IptablesTable> iptablesTables,
    string nftRuleset,
    string iptablesSave)
{
    public NetworkNamespace Namespace { get; } = ns;

    /// <summary>Network devices other than lo and the lab's veth end (an ifb for ingress shaping, a dummy...).</summary>
    public IReadOnlyList<string> UnexpectedLinks { get; } = unexpectedLinks;

    public IReadOnlyList<QdiscEntry> Qdiscs { get; } = qdiscs;

    /// <summary>The filters on the non-default qdiscs, u32's chain and hash-table lines included.</summary>
    public IReadOnlyList<FilterEntry> Filters { get; } = filters;

    public IReadOnlyList<NftTable> NftTables { get; } = nftTables;

    /// <summary>iptables-save and ip6tables-save tables (Family "ipv4" or "ipv6").</summary>
    public IReadOnlyList<IptablesTable> IptablesTables { get; } = iptablesTables;

    /// <summary><c>nft -j list ruleset</c> as printed, for messages.</summary>
    public string NftRuleset { get; } = nftRuleset;

    /// <summary>iptables-save then ip6tables-save output, for messages.</summary>
    public string IptablesSave { get; } = iptablesSave;

    public IReadOnlyList<QdiscEntry> NonDefaultQdiscs => [.. Qdiscs.Where(qdisc => !qdisc.IsDefault)];

    /// <summary>nftables tables that are not an empty iptables-nft skeleton.</summary>
    public IReadOnlyList<NftTable> NonDefaultNftTables => [.. NftTables.Where(table => !table.IsIptablesSkeleton)];

    public IReadOnlyList<string> IptablesRules => [.. IptablesTables.SelectMany(table => table.Rules)];

    /// <summary>Everything non-default, one line each; empty when the namespace is as the kernel made it.</summary>
    public IReadOnlyList<string> Traces =>
    [
        .. UnexpectedLinks.Select(link => $"link {link}"),
        .. NonDefaultQdiscs.Select(qdisc => qdisc.ToString()),
        .. Filters.Where(filter => !filter.IsScaffolding).Select(filter => filter.ToString()),
        .. NonDefaultNftTables.Select(table => table.ToString()),
        .. IptablesTables.SelectMany(table => table.Traces),
    ];

    public bool HasTrace => Traces.Count > 0;

    public override string ToString() =>
        HasTrace
            ? $"{Namespace}: {Traces.Count} traces:\n  {string.Join("\n  ", Traces)}"
            : $"{Namespace}: no trace ({string.Join("; ", Qdiscs)})";
}
