using Faultline.Plugins.Network.Engines;

namespace Faultline.Plugins.Network.Tests.Engines;

/// <summary>Faultline's tc objects read back from <c>tc qdisc show</c> and <c>tc filter show</c>, as Debian's kernel prints them.</summary>
public sealed class TcLayoutTests
{
    private const string FilteredQdiscs = """
        qdisc prio fa17: root refcnt 3 bands 4 priomap 1 2 2 2 1 2 0 0 1 1 1 1 1 1 1 1
        qdisc netem fa18: parent fa17:4 limit 1000 delay 100ms
        """;

    private const string Filters = """
        filter protocol ip pref 1 u32 chain 0 
        filter protocol ip pref 1 u32 chain 0 fh 800: ht divisor 1 
        filter protocol ip pref 1 u32 chain 0 fh 800::800 order 2048 key ht 800 bkt 0 *flowid fa17:4 not_in_hw 
          match 0ac80002/ffffffff at 16
          match 00060000/00ff0000 at 8
          match 00001b59/0000ffff at 20
        filter protocol ip pref 1 u32 chain 0 fh 800::801 order 2049 key ht 800 bkt 0 *flowid fa17:4 not_in_hw 
          match 0ac80000/ffffff00 at 16
        filter protocol ipv6 pref 2 u32 chain 0 
        filter protocol ipv6 pref 2 u32 chain 0 fh 801: ht divisor 1 
        filter protocol ipv6 pref 2 u32 chain 0 fh 801::801 order 2049 key ht 801 bkt 0 *flowid fa17:4 not_in_hw 
          match fd000000/ffffffff at 24
          match 00000000/ffff0000 at 28
        """;

    [Fact]
    public void A_filtered_fault_is_a_prio_root_with_four_bands_and_its_netem_on_the_fourth()
    {
        var layout = TcLayout.Parse(FilteredQdiscs);

        Assert.True(layout.HasRoot);
        Assert.True(layout.HasFilteredRoot);
        Assert.Equal("prio", layout.RootKind);
        Assert.Equal("netem", layout.ChildKind);
        Assert.Equal("netem", layout.FaultKind);
    }

    [Fact]
    public void Unfiltered_roots_orphaned_prios_and_foreign_qdiscs_are_told_apart()
    {
        var netem = TcLayout.Parse("qdisc netem fa17: root refcnt 2 limit 1000 delay 200ms  50ms\n");
        var orphan = TcLayout.Parse("qdisc prio fa17: root refcnt 3 bands 4 priomap 1 2 2 2 1 2 0 0 1 1 1 1 1 1 1 1\nqdisc pfifo 8001: parent fa17:4 limit 1000p\n");
        var foreign = TcLayout.Parse("qdisc prio 1: root refcnt 3 bands 3 priomap 1 2 2 2 1 2 0 0 1 1 1 1 1 1 1 1\nqdisc netem fa18: parent 1:3 limit 1000\n");
        var bare = TcLayout.Parse("qdisc noqueue 0: root refcnt 2 \n");

        Assert.Equal(("netem", false), (netem.FaultKind, netem.HasFilteredRoot));
        Assert.Equal(("prio", null, true), (orphan.RootKind, orphan.FaultKind, orphan.HasFilteredRoot));
        Assert.False(foreign.HasRoot);
        Assert.Null(foreign.ChildKind);
        Assert.False(bare.HasRoot);
    }

    [Fact]
    public void Filter_nodes_are_read_with_their_keys_and_the_chain_and_hash_table_lines_are_no_filters()
    {
        var entries = TcFilterEntry.Parse(Filters);
        var expected = new TcFilter("ip", "10.200.0.2/32", 6, 7001);

        Assert.Equal(3, entries.Count);
        Assert.Equal(["ip", "ip", "ipv6"], entries.Select(e => e.Family));
        Assert.All(entries, e => Assert.Equal("fa17:4", e.FlowId));
        Assert.True(entries[0].Is(expected, "fa17:4"));
        Assert.False(entries[0].Is(expected with { Port = 7002 }, "fa17:4"));
        Assert.False(entries[0].Is(expected, "fa17:3"));
        Assert.True(entries[1].Is(new TcFilter("ip", "10.200.0.0/24", null, null), "fa17:4"));
        Assert.True(entries[2].Is(new TcFilter("ipv6", "fd00::/48", null, null), "fa17:4"));
    }

    [Fact]
    public void The_root_arguments_never_map_a_priority_to_the_faults_band()
    {
        var args = TcLayout.RootArguments("eth0");
        var priomap = args.SkipWhile(a => a != "priomap").Skip(1).Select(int.Parse).ToList();

        Assert.Equal("qdisc add dev eth0 root handle fa17: prio bands 4", string.Join(' ', args.TakeWhile(a => a != "priomap")));
        Assert.Equal(16, priomap.Count);
        Assert.All(priomap, band => Assert.InRange(band, 0, 2));
        Assert.Equal(
            "qdisc add dev eth0 parent fa17:4 handle fa18: tbf rate 8000bit",
            string.Join(' ', TcLayout.ChildArguments("eth0", "tbf", ["rate", "8000bit"])));
    }
}
