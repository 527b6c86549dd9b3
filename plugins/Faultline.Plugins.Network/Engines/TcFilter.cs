using System.Buffers.Binary;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Faultline.Plugins.Network.Actions;

namespace Faultline.Plugins.Network.Engines;

/// <summary>
/// One u32 filter that sends a fault's traffic into the band of <see cref="TcLayout"/> holding netem or tbf: a
/// destination CIDR (or any destination of the family), and with ports one TCP or UDP destination port. Ports
/// are matched together with the transport protocol, as the nftables engine does (<c>meta l4proto { tcp, udp }
/// th dport</c>): u32 reads bytes at fixed offsets, so without it an ICMP checksum or another protocol's bytes
/// could pass for a port. Like every u32 port match, it assumes a header without IPv4 options or IPv6
/// extension headers (what nearly all traffic has).
/// </summary>
/// <param name="Family"><c>ip</c> or <c>ipv6</c>: the tc protocol of the filter.</param>
/// <param name="Destination">A CIDR, or null for every destination of the family.</param>
/// <param name="Transport">6 (TCP) or 17 (UDP) with a port, else null.</param>
/// <param name="Port">The destination port, or null.</param>
public sealed record TcFilter(string Family, string? Destination, int? Transport, int? Port)
{
    private const int Tcp = 6;
    private const int Udp = 17;

    /// <summary>
    /// The filters of a fault: one per destination × port × transport. IPv4 and IPv6 filters get their own
    /// preference, since the kernel keeps one protocol per preference of a filter chain.
    /// </summary>
    public static IReadOnlyList<TcFilter> For(NetworkParameters parameters)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        IEnumerable<(string Family, string? Destination)> destinations = parameters.Destinations.Count > 0
            ? parameters.Destinations.Select(d => (FamilyOf(d), (string?)d.ToString()))
            : [("ip", null), ("ipv6", null)];
        return
        [
            .. destinations.SelectMany(d => parameters.Ports.Count == 0
                ? [new TcFilter(d.Family, d.Destination, null, null)]
                : parameters.Ports.SelectMany(port => new[] { Tcp, Udp }.Select(transport => new TcFilter(d.Family, d.Destination, transport, port)))),
        ];
    }

    /// <summary>The tc filter preference: one per family (1 for IPv4, 2 for IPv6).</summary>
    public int Preference => Family == "ip" ? 1 : 2;

    /// <summary>What follows <c>tc filter add dev DEV</c>.</summary>
    public IReadOnlyList<string> Arguments(string flowId)
    {
        var match = Family == "ip" ? "ip" : "ip6";
        var matches = new List<string>();
        if (Network is { PrefixLength: > 0 } network)
        {
            matches.AddRange(["match", match, "dst", network.ToString()]);
        }

        if (Transport is { } transport && Port is { } port)
        {
            matches.AddRange(["match", match, "protocol", transport.ToString(CultureInfo.InvariantCulture), "0xff"]);
            matches.AddRange(["match", match, "dport", port.ToString(CultureInfo.InvariantCulture), "0xffff"]);
        }

        var args = new List<string> { "parent", TcLayout.RootHandle, "protocol", Family, "pref", Preference.ToString(CultureInfo.InvariantCulture), "u32" };
        args.AddRange(matches);
        if (matches.Count == 0)
        {
            // Every packet of the family (a /0 destination without ports): u32 needs at least one key.
            args.AddRange(["match", "u32", "0", "0"]);
        }

        args.AddRange(["flowid", flowId]);
        return args;
    }

    /// <summary>
    /// The keys the kernel holds for this filter, as <c>tc filter show</c> prints them ("match 0ac80002/ffffffff at
    /// 16"): tc packs each match into 32-bit words at 4-byte aligned offsets of the network header, the value
    /// already masked. Verification compares them, so a filter changed by hand is not taken for ours.
    /// </summary>
    public IReadOnlyList<string> Keys()
    {
        var keys = new List<string>();
        var ipv4 = Family == "ip";
        if (Network is { PrefixLength: > 0 } network)
        {
            var bytes = network.BaseAddress.GetAddressBytes();
            var firstOffset = ipv4 ? 16 : 24;
            for (var bit = 0; bit < network.PrefixLength; bit += 32)
            {
                var covered = Math.Min(32, network.PrefixLength - bit);
                var mask = covered == 32 ? uint.MaxValue : uint.MaxValue << (32 - covered);
                var word = BinaryPrimitives.ReadUInt32BigEndian(bytes.AsSpan(bit / 8, 4));
                keys.Add(Key(word & mask, mask, firstOffset + (bit / 8)));
            }
        }

        if (Transport is { } transport && Port is { } port)
        {
            // IPv4: protocol is byte 9 (word 8, second byte); IPv6: next header is byte 6 (word 4, third byte).
            keys.Add(ipv4 ? Key((uint)transport << 16, 0x00ff0000, 8) : Key((uint)transport << 8, 0x0000ff00, 4));
            // The destination port: bytes 2-3 of the transport header, right after a 20- or 40-byte header.
            keys.Add(Key((uint)port, 0x0000ffff, ipv4 ? 20 : 40));
        }

        if (keys.Count == 0)
        {
            keys.Add(Key(0, 0, 0));
        }

        return keys;
    }

    public override string ToString() =>
        $"{Family} dst {Destination ?? "any"}{(Port is { } port ? $" {(Transport == Tcp ? "tcp" : "udp")} dport {port.ToString(CultureInfo.InvariantCulture)}" : "")}";

    private IPNetwork? Network => Destination is null ? null : IPNetwork.Parse(Destination);

    private static string FamilyOf(IPNetwork network) => network.BaseAddress.AddressFamily == AddressFamily.InterNetwork ? "ip" : "ipv6";

    private static string Key(uint value, uint mask, int offset) =>
        string.Create(CultureInfo.InvariantCulture, $"match {value:x8}/{mask:x8} at {offset}");
}
