using Faultline.Plugins.Network.Namespaces;

namespace Faultline.Plugins.Network.Tests.Lab;

/// <summary>The lab's parsers on captured output, including the cases the machine does not produce on demand.</summary>
public sealed class LabParsingTests
{
    [Fact]
    public void Ping_output_gives_replies_duplicates_and_loss()
    {
        const string output = """
            PING 10.200.5.2 (10.200.5.2) 56(84) bytes of data.
            64 bytes from 10.200.5.2: icmp_seq=1 ttl=64 time=0.054 ms
            64 bytes from 10.200.5.2: icmp_seq=1 ttl=64 time=0.071 ms (DUP!)
            64 bytes from 10.200.5.2: icmp_seq=2 ttl=64 time=12 ms
            ping: sendmsg: Operation not permitted
            64 bytes from 10.200.5.2: icmp_seq=4 ttl=64 time=3.5 ms

            --- 10.200.5.2 ping statistics ---
            4 packets transmitted, 3 received, +1 duplicates, 25% packet loss, time 33ms
            rtt min/avg/max/mdev = 0.054/5.1/12.0/4.9 ms
            """;
        var ping = PingResult.Parse(output);
        Assert.Equal(4, ping.Transmitted);
        Assert.Equal(3, ping.Received);
        Assert.Equal(1, ping.Duplicates);
        Assert.Equal(0.25, ping.LossRatio);
        Assert.Equal([0.054, 3.5, 12], ping.Rtt.Sorted.Select(rtt => rtt.TotalMilliseconds));
        Assert.Equal(TimeSpan.FromMilliseconds(3.5), ping.Rtt.Median);
    }

    [Fact]
    public void Ping_output_without_statistics_is_an_error_not_a_measurement() =>
        Assert.Throws<FormatException>(() => PingResult.Parse("ping: connect: Network is unreachable\n"));

    [Fact]
    public void Percentiles_are_measured_values_by_nearest_rank()
    {
        var samples = new LatencySamples(Enumerable.Range(1, 10).Reverse().Select(ms => TimeSpan.FromMilliseconds(ms)));
        Assert.Equal(TimeSpan.FromMilliseconds(5), samples.Median);
        Assert.Equal(TimeSpan.FromMilliseconds(9), samples.Percentile(90));
        Assert.Equal(TimeSpan.FromMilliseconds(1), samples.Percentile(0));
        Assert.Equal(TimeSpan.FromMilliseconds(10), samples.Max);
        Assert.Throws<InvalidOperationException>(() => new LatencySamples([]).Median);
    }

    [Fact]
    public void Kernel_default_qdiscs_are_no_trace_but_a_tbf_or_a_handle_of_its_own_is()
    {
        const string json = """
            [{"kind":"noqueue","handle":"0:","dev":"lo","root":true,"refcnt":2,"options":{}},
             {"kind":"tbf","handle":"8001:","dev":"veth0","root":true,"refcnt":3,"options":{"rate":125000}},
             {"kind":"clsact","handle":"ffff:","dev":"veth0","parent":"ffff:fff1","options":{}},
             {"kind":"fq_codel","handle":"0:","dev":"eth0","parent":":1","options":{}},
             {"kind":"fq_codel","handle":"fa17:","dev":"eth1","root":true,"options":{}},
             {"kind":"fq","handle":"0:","dev":"eth2","root":true,"options":{}}]
            """;
        var qdiscs = QdiscEntry.ParseShow(json, defaultQdisc: "fq");
        Assert.Equal([true, false, false, true, false, true], qdiscs.Select(qdisc => qdisc.IsDefault));
        Assert.Equal("root", qdiscs[1].Parent);
        Assert.Equal("ffff:fff1", qdiscs[2].Parent);
    }

    [Fact]
    public void A_leftover_prio_and_its_netem_and_u32_filters_are_traces_but_u32s_chain_and_hash_table_lines_are_not()
    {
        // Captured in the kernel lab: Faultline's filtered delay on va (tc -j qdisc show, tc -j filter show dev va parent fa17:).
        const string qdiscJson = """
            [{"kind":"prio","handle":"fa17:","dev":"va","root":true,"refcnt":3,"options":{"bands":4,"priomap":[1,2,2,2,1,2,0,0,1,1,1,1,1,1,1,1],"multiqueue":false}},
             {"kind":"netem","handle":"fa18:","dev":"va","parent":"fa17:4","options":{"limit":1000,"delay":{"delay":0.1,"jitter":0,"correlation":0},"ecn":false,"gap":0}}]
            """;
        const string filterJson = """
            [{"protocol":"ip","pref":1,"kind":"u32","chain":0},
             {"protocol":"ip","pref":1,"kind":"u32","chain":0,"options":{"fh":"800:","ht_divisor":1}},
             {"protocol":"ip","pref":1,"kind":"u32","chain":0,"options":{"fh":"800::800","order":2048,"key_ht":"800","bkt":"0","flowid":"fa17:4","not_in_hw":true,
               "match":{"value":"ac80002","mask":"ffffffff","offmask":"","off":16},"match":{"value":"1b59","mask":"ffff","offmask":"","off":20}}}]
            """;
        var qdiscs = QdiscEntry.ParseShow(qdiscJson);
        var filters = FilterEntry.ParseShow(filterJson, "va", "parent fa17:");
        var report = new ResidueReport(NetworkNamespace.Named("lab"), [], qdiscs, filters, [], [], "", "");

        Assert.Equal([true, true, false], filters.Select(filter => filter.IsScaffolding));
        Assert.Empty(FilterEntry.ParseShow("", "va", "parent fa17:"));
        Assert.Equal(
            ["qdisc prio fa17: dev va root", "qdisc netem fa18: dev va fa17:4", "filter u32 dev va parent fa17: protocol ip pref 1 800::800 flowid fa17:4"],
            report.Traces);
        Assert.True(new ResidueReport(NetworkNamespace.Named("lab"), [], [], filters, [], [], "", "").HasTrace);
    }

    [Fact]
    public void An_empty_iptables_nft_skeleton_is_no_trace_but_rules_and_tables_of_our_own_are()
    {
        const string json = """
            {"nftables": [{"metainfo": {"version": "1.0.6", "json_schema_version": 1}},
             {"table": {"family": "ip", "name": "filter", "handle": 1}},
             {"chain": {"family": "ip", "table": "filter", "name": "OUTPUT", "handle": 1, "type": "filter", "hook": "output", "prio": 0, "policy": "accept"}},
             {"table": {"family": "ip", "name": "nat", "handle": 2}},
             {"chain": {"family": "ip", "table": "nat", "name": "OUTPUT", "handle": 1, "type": "nat", "hook": "output", "prio": -100, "policy": "accept"}},
             {"rule": {"family": "ip", "table": "nat", "chain": "OUTPUT", "handle": 2, "expr": [{"accept": null}]}},
             {"table": {"family": "inet", "name": "faultline", "handle": 3}},
             {"table": {"family": "ip6", "name": "filter", "handle": 4}},
             {"set": {"family": "ip6", "table": "filter", "name": "victims", "type": "ipv6_addr", "handle": 2}}]}
            """;
        var tables = NftTable.ParseRuleset(json);
        Assert.Equal(["ip filter", "ip nat", "inet faultline", "ip6 filter"], tables.Select(table => $"{table.Family} {table.Name}"));
        Assert.Equal([true, false, false, false], tables.Select(table => table.IsIptablesSkeleton));
        Assert.Equal(1, tables[1].Rules);
        Assert.Equal(1, tables[3].OtherObjects);
    }

    [Fact]
    public void Iptables_save_traces_are_rules_user_chains_and_closed_policies()
    {
        const string save = """
            # Generated by iptables-save v1.8.9 (nf_tables)
            *filter
            :INPUT ACCEPT [0:0]
            :FORWARD DROP [0:0]
            :OUTPUT ACCEPT [0:0]
            :faultline - [0:0]
            -A OUTPUT -d 10.200.5.2/32 -p tcp -j DROP
            COMMIT
            *nat
            :OUTPUT ACCEPT [0:0]
            COMMIT
            """;
        var tables = IptablesTable.ParseSave(save, "ipv4");
        Assert.Equal(["filter", "nat"], tables.Select(table => table.Name));
        Assert.Equal(
            ["ipv4 filter: -A OUTPUT -d 10.200.5.2/32 -p tcp -j DROP", "ipv4 filter: user chain faultline", "ipv4 filter: chain FORWARD policy DROP"],
            tables[0].Traces);
        Assert.Empty(tables[1].Traces);
    }
}
