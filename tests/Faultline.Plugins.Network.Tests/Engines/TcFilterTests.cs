using System.Text.Json;
using Faultline.Plugins.Network.Actions;
using Faultline.Plugins.Network.Engines;

namespace Faultline.Plugins.Network.Tests.Engines;

/// <summary>
/// The u32 filters of a filtered netem or tbf fault: one per destination × port × transport, and the keys the kernel
/// then holds, as Debian's kernel printed them in the kernel lab (<c>tc filter show dev va parent fa17:</c>).
/// </summary>
public sealed class TcFilterTests
{
    [Fact]
    public void A_destination_and_a_port_give_a_tcp_and_a_udp_filter_whose_keys_are_what_the_kernel_shows()
    {
        var filters = TcFilter.For(Parse("""{ "latency": "10ms", "externalTargets": ["10.200.0.2"], "ports": [7001] }"""));

        Assert.Equal(["ip dst 10.200.0.2/32 tcp dport 7001", "ip dst 10.200.0.2/32 udp dport 7001"], filters.Select(f => f.ToString()));
        Assert.Equal(
            "parent fa17: protocol ip pref 1 u32 match ip dst 10.200.0.2/32 match ip protocol 6 0xff match ip dport 7001 0xffff flowid fa17:4",
            string.Join(' ', filters[0].Arguments("fa17:4")));
        Assert.Equal(["match 0ac80002/ffffffff at 16", "match 00060000/00ff0000 at 8", "match 00001b59/0000ffff at 20"], filters[0].Keys());
        Assert.Equal("match 00110000/00ff0000 at 8", filters[1].Keys()[1]);
    }

    [Fact]
    public void IPv6_destinations_get_ipv6_filters_with_one_key_per_covered_word_of_the_address()
    {
        var filters = TcFilter.For(Parse("""{ "latency": "10ms", "externalTargets": ["fd00::2", "fd00::/48", "10.200.0.0/24"], "ports": [53] }"""));
        var udp = filters.Single(f => f.Destination == "fd00::2/128" && f.Transport == 17);
        var wide = TcFilter.For(Parse("""{ "latency": "10ms", "externalTargets": ["fd00::/48"] }""")).Single();

        Assert.Equal(6, filters.Count);
        Assert.Equal([2, 2, 2, 2, 1, 1], filters.Select(f => f.Preference));
        Assert.Equal(
            "parent fa17: protocol ipv6 pref 2 u32 match ip6 dst fd00::2/128 match ip6 protocol 17 0xff match ip6 dport 53 0xffff flowid fa17:4",
            string.Join(' ', udp.Arguments("fa17:4")));
        Assert.Equal(
            ["match fd000000/ffffffff at 24", "match 00000000/ffffffff at 28", "match 00000000/ffffffff at 32", "match 00000002/ffffffff at 36", "match 00001100/0000ff00 at 4", "match 00000035/0000ffff at 40"],
            udp.Keys());
        Assert.Equal(["match fd000000/ffffffff at 24", "match 00000000/ffff0000 at 28"], wide.Keys());
        Assert.Equal("match 0ac80000/ffffff00 at 16", filters.First(f => f.Family == "ip").Keys()[0]);
    }

    [Fact]
    public void Ports_without_destinations_match_both_families_and_a_slash_zero_matches_every_packet_of_its_family()
    {
        var ports = TcFilter.For(Parse("""{ "latency": "10ms", "ports": [80, 443] }"""));
        var everything = TcFilter.For(Parse("""{ "latency": "10ms", "externalTargets": ["0.0.0.0/0"] }""")).Single();

        Assert.Equal(8, ports.Count);
        Assert.Equal(4, ports.Count(f => f.Family == "ipv6" && f.Destination is null));
        Assert.Equal(["match 00060000/00ff0000 at 8", "match 00000050/0000ffff at 20"], ports[0].Keys());
        Assert.Equal("parent fa17: protocol ip pref 1 u32 match u32 0 0 flowid fa17:4", string.Join(' ', everything.Arguments("fa17:4")));
        Assert.Equal(["match 00000000/00000000 at 0"], everything.Keys());
    }

    [Fact]
    public void Filters_survive_the_journal()
    {
        var state = new EngineState("f-1", EngineKind.Netem, NetworkAction.Delay, Direction.To, "/run/netns/x", "x", "eth0",
            Filters: TcFilter.For(Parse("""{ "latency": "10ms", "externalTargets": ["10.0.0.0/8"], "ports": [80] }""")));

        var read = EngineState.FromText(state.ToText())!;

        Assert.Equal<TcFilter>(state.Filters!, read.Filters!);
    }

    private static NetworkParameters Parse(string json)
    {
        var errors = new List<Sdk.Validation.ParameterError>();
        using var document = JsonDocument.Parse(json);
        return NetworkParameters.Read(NetworkAction.Delay, document.RootElement, errors) ?? throw new InvalidOperationException(string.Join("; ", errors));
    }
}
