using System.Net.Sockets;
using Faultline.Plugins.Network.Host;
using Faultline.Plugins.Network.Namespaces;

namespace Faultline.Plugins.Network.Tests.Lab;

/// <summary>
/// The lab's own proof: each measurement tool sees a real kernel fault, put in place by a raw command (tc, iptables,
/// nft), in the size that fault should have, and sees it gone once the command is undone; the residue inspection
/// sees each fault while present and nothing after.
/// </summary>
public sealed class NetworkLabTests
{
    private const int ShapedRate = 125_000; // tbf rate 1mbit, in bytes per second
    private static readonly TimeSpan Generous = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task A_lab_is_two_namespaces_joined_by_a_veth_and_disposing_deletes_them()
    {
        var lab = await NetworkLab.CreateAsync();
        var (a, b) = (lab.A, lab.B);
        try
        {
            Assert.Matches("^fl-a-[a-z0-9]{8}$", lab.NameA);
            Assert.Equal($"fl-b-{lab.Token}", lab.NameB);
            Assert.True(a.Exists && b.Exists, lab.ToString());
            Assert.InRange(lab.InterfaceA.Length, 1, 15);
            Assert.InRange(lab.InterfaceB.Length, 1, 15);
            Assert.NotEqual(lab.InterfaceA, lab.InterfaceB);

            var addressA = lab.AddressA.GetAddressBytes();
            var addressB = lab.AddressB.GetAddressBytes();
            Assert.Equal([10, 200], addressA[..2]);
            Assert.Equal(1, addressA[3] % 8);
            Assert.Equal(addressA[..3], addressB[..3]);
            Assert.Equal(addressA[3] + 1, addressB[3]);

            var shownA = await lab.RunAsync(a, $"ip -br address show dev {lab.InterfaceA}");
            var shownB = await lab.RunAsync(b, $"ip -br address show dev {lab.InterfaceB}");
            Assert.Contains($"{lab.AddressA}/29", shownA.Output, StringComparison.Ordinal);
            Assert.Contains("UP", shownA.Output, StringComparison.Ordinal);
            Assert.Contains($"{lab.AddressB}/29", shownB.Output, StringComparison.Ordinal);
            Assert.Contains($"{lab.AddressB2}/29", shownB.Output, StringComparison.Ordinal);

            var linkA = await lab.RunAsync(a, $"ip -d -j link show dev {lab.InterfaceA}");
            var linkB = await lab.RunAsync(b, $"ip -d -j link show dev {lab.InterfaceB}");
            Assert.Contains("\"info_kind\":\"veth\"", linkA.Output, StringComparison.Ordinal);
            Assert.Contains("\"info_kind\":\"veth\"", linkB.Output, StringComparison.Ordinal);
        }
        finally
        {
            await lab.DisposeAsync();
        }

        Assert.False(a.Exists, $"{a} still exists after dispose");
        Assert.False(b.Exists, $"{b} still exists after dispose");
    }

    [Fact]
    public async Task Labs_created_in_parallel_have_their_own_names_subnets_and_traffic()
    {
        var creations = Enumerable.Range(0, 4).Select(_ => NetworkLab.CreateAsync()).ToList();
        try
        {
            var labs = await Task.WhenAll(creations);
            Assert.Equal(8, labs.Select(lab => lab.NameA).Concat(labs.Select(lab => lab.NameB)).Distinct().Count());
            Assert.Equal(4, labs.Select(lab => lab.InterfaceA).Distinct().Count());
            Assert.Equal(4, labs.Select(lab => lab.Subnet.Network).Distinct().Count());
            var exchanges = await Task.WhenAll(labs.Select(lab => lab.TcpRoundTripAsync(5, TimeSpan.FromSeconds(5))));
            Assert.All(exchanges, exchange => Assert.True(exchange.AllSucceeded, exchange.ToString()));
        }
        finally
        {
            foreach (var creation in creations.Where(creation => creation.IsCompletedSuccessfully))
            {
                await (await creation).DisposeAsync();
            }
        }
    }

    [Fact]
    public async Task The_clean_link_is_fast_lossless_and_without_trace()
    {
        await using var lab = await NetworkLab.CreateAsync();

        var ping = await lab.PingAsync(20, TimeSpan.FromMilliseconds(10));
        Assert.Equal(20, ping.Transmitted);
        Assert.Equal(0, ping.Lost);
        Assert.Equal(20, ping.Rtt.Count);
        Assert.True(ping.Rtt.Median < TimeSpan.FromMilliseconds(5), ping.ToString());

        var connects = await lab.TcpConnectAsync(10, TimeSpan.FromSeconds(5));
        Assert.True(connects.AllSucceeded, connects.ToString());
        Assert.True(connects.Samples.Median < TimeSpan.FromMilliseconds(5), connects.ToString());

        var exchanges = await lab.TcpRoundTripAsync(50, TimeSpan.FromSeconds(5));
        Assert.True(exchanges.AllSucceeded, exchanges.ToString());
        Assert.True(exchanges.Samples.Median < TimeSpan.FromMilliseconds(5), exchanges.ToString());

        var udp = await lab.UdpProbeAsync(200, TimeSpan.FromMilliseconds(1));
        Assert.True(udp is { Lost: 0, Duplicates: 0, SendErrors: 0 }, udp.ToString());

        foreach (var report in new[] { await lab.InspectAAsync(), await lab.InspectBAsync() })
        {
            Assert.False(report.HasTrace, report.ToString());
            Assert.NotEmpty(report.Qdiscs);
        }

        TestContext.Current.TestOutputHelper?.WriteLine($"{lab}\n{ping}\nconnect {connects}\nround trip {exchanges}\n{udp}");
    }

    [Fact]
    public async Task A_tbf_qdisc_on_As_veth_holds_throughput_to_its_rate_until_deleted()
    {
        LabRequirements.Require("tc");
        await using var lab = await NetworkLab.CreateAsync();
        var before = await lab.ThroughputAsync(16 << 20, Generous);
        Assert.True(before.Completed, before.ToString());

        await lab.RunAsync(lab.A, $"tc qdisc add dev {lab.InterfaceA} root tbf rate 1mbit burst 32kbit latency 400ms");
        var during = await lab.InspectAAsync();
        Assert.Contains(during.NonDefaultQdiscs, qdisc => qdisc is { Kind: "tbf", Parent: "root" } && qdisc.Device == lab.InterfaceA);
        Assert.True(during.HasTrace, during.ToString());

        var shaped = await lab.ThroughputAsync(384 << 10, Generous);
        Assert.True(shaped.Completed, shaped.ToString());
        Assert.Equal(384 << 10, shaped.BytesReceived);
        Assert.InRange(shaped.BytesPerSecond, ShapedRate * 0.8, ShapedRate * 1.2);

        var duration = TimeSpan.FromSeconds(2);
        var shapedForAWhile = await lab.ThroughputForAsync(duration, Generous);
        Assert.True(shapedForAWhile.Completed, shapedForAWhile.ToString());
        Assert.InRange(shapedForAWhile.BytesPerSecond, ShapedRate * 0.8, ShapedRate * 1.2);
        Assert.InRange(shapedForAWhile.Elapsed, duration, duration + TimeSpan.FromSeconds(2));

        await lab.RunAsync(lab.A, $"tc qdisc del dev {lab.InterfaceA} root");
        var after = await lab.ThroughputAsync(16 << 20, Generous);
        Assert.True(after.Completed, after.ToString());
        Assert.True(after.BytesPerSecond > 10 * ShapedRate, after.ToString());
        var clean = await lab.InspectAAsync();
        Assert.False(clean.HasTrace, clean.ToString());

        TestContext.Current.TestOutputHelper?.WriteLine($"before {before}\nshaped {shaped}\nshaped for {duration.TotalSeconds} s {shapedForAWhile}\nafter {after}");
    }

    [Fact]
    public async Task A_random_drop_on_As_output_loses_about_that_share_of_pings_and_datagrams()
    {
        LabRequirements.Require("iptables");
        await using var lab = await NetworkLab.CreateAsync();
        var icmp = $"OUTPUT -d {lab.AddressB} -p icmp -m statistic --mode random --probability 0.3 -j DROP";
        var udp = $"OUTPUT -d {lab.AddressB} -p udp -m statistic --mode random --probability 0.3 -j DROP";
        await lab.RunAsync(lab.A, $"iptables -A {icmp}");
        await lab.RunAsync(lab.A, $"iptables -A {udp}");

        var during = await lab.InspectAAsync();
        Assert.Equal(2, during.IptablesRules.Count(rule => rule.Contains("-m statistic --mode random", StringComparison.Ordinal)));
        Assert.True(during.HasTrace, during.ToString());

        var ping = await lab.PingAsync(200, TimeSpan.FromMilliseconds(10));
        Assert.Equal(200, ping.Transmitted);
        Assert.InRange(ping.LossRatio, 0.2, 0.4);

        var datagrams = await lab.UdpProbeAsync(400, TimeSpan.FromMilliseconds(1));
        Assert.InRange(datagrams.LossRatio, 0.2, 0.4);
        Assert.Equal(0, datagrams.Duplicates);

        await lab.RunAsync(lab.A, $"iptables -D {icmp}");
        await lab.RunAsync(lab.A, $"iptables -D {udp}");
        var clean = await lab.InspectAAsync();
        Assert.False(clean.HasTrace, clean.ToString());
        var healed = await lab.PingAsync(50, TimeSpan.FromMilliseconds(10));
        Assert.Equal(0, healed.Lost);
        var healedDatagrams = await lab.UdpProbeAsync(200, TimeSpan.FromMilliseconds(1));
        Assert.Equal(0, healedDatagrams.Lost);

        TestContext.Current.TestOutputHelper?.WriteLine($"{ping}\n{datagrams}\nafter: {healed}\nafter: {healedDatagrams}");
    }

    [Fact]
    public async Task Dropping_As_tcp_towards_B_blocks_connects_until_the_rule_is_deleted()
    {
        LabRequirements.Require("iptables");
        await using var lab = await NetworkLab.CreateAsync();
        var partition = $"OUTPUT -d {lab.AddressB} -p tcp -j DROP";
        await lab.RunAsync(lab.A, $"iptables -A {partition}");

        var during = await lab.InspectAAsync();
        Assert.Contains(during.IptablesRules, rule => rule.EndsWith("-p tcp -j DROP", StringComparison.Ordinal));
        var timeout = TimeSpan.FromMilliseconds(500);
        var blocked = await lab.TcpConnectAsync(3, timeout);
        Assert.True(blocked.AllBlocked, blocked.ToString());
        Assert.Equal(3, blocked.Count(TcpOutcome.TimedOut));
        // It really waited (a timer may fire a little early), rather than failing fast like a refusal.
        Assert.All(blocked.Attempts, attempt => Assert.True(attempt.Elapsed >= timeout * 0.9, blocked.ToString()));
        var transfer = await lab.ChecksumTransferAsync(1000, timeout);
        Assert.Equal(TcpOutcome.TimedOut, transfer.Outcome);
        Assert.False(transfer.Matches);

        await lab.RunAsync(lab.A, $"iptables -D {partition}");
        var clean = await lab.InspectAAsync();
        Assert.False(clean.HasTrace, clean.ToString());
        var healed = await lab.TcpConnectAsync(3, TimeSpan.FromSeconds(5));
        Assert.True(healed.AllSucceeded, healed.ToString());

        TestContext.Current.TestOutputHelper?.WriteLine($"during: {blocked}\nafter: {healed}");
    }

    [Fact]
    public async Task A_checksum_transfer_matches_on_a_clean_link_and_catches_payload_corruption()
    {
        LabRequirements.Require("nft");
        await using var lab = await NetworkLab.CreateAsync();
        const int size = 4 << 20;
        var clean = await lab.ChecksumTransferAsync(size, Generous);
        Assert.True(clean.Matches, clean.ToString());
        Assert.Equal(size, clean.BytesReceived);

        // Overwrites the first four payload bytes of every data segment to the checksum port; the kernel fixes up
        // the TCP checksum, so only an end-to-end digest can tell.
        await lab.RunAsync(lab.A, "nft add table ip fl_corrupt");
        await lab.RunAsync(lab.A, "nft add chain ip fl_corrupt out { type filter hook output priority 0 ; policy accept ; }");
        await lab.RunAsync(lab.A, $"nft add rule ip fl_corrupt out ip daddr {lab.AddressB} tcp dport {LabServer.ChecksumPort} meta length > 200 @ih,0,32 set 0x41414141");
        var during = await lab.InspectAAsync();
        Assert.Contains(during.NonDefaultNftTables, table => table is { Family: "ip", Name: "fl_corrupt", Rules: 1 });

        var corrupted = await lab.ChecksumTransferAsync(256 << 10, Generous);
        Assert.True(corrupted.Completed, corrupted.ToString());
        Assert.Equal(256 << 10, corrupted.BytesReceived);
        Assert.False(corrupted.Matches, corrupted.ToString());

        await lab.RunAsync(lab.A, "nft delete table ip fl_corrupt");
        var after = await lab.InspectAAsync();
        Assert.False(after.HasTrace, after.ToString());
        var healed = await lab.ChecksumTransferAsync(256 << 10, Generous);
        Assert.True(healed.Matches, healed.ToString());

        TestContext.Current.TestOutputHelper?.WriteLine($"clean {clean}\ncorrupted {corrupted}\nafter {healed}");
    }

    [Fact]
    public async Task An_nft_dup_on_As_output_shows_as_duplicates_in_udp_and_ping()
    {
        LabRequirements.Require("nft");
        await using var lab = await NetworkLab.CreateAsync();
        await lab.RunAsync(lab.A, "nft add table ip fl_dup");
        await lab.RunAsync(lab.A, "nft add chain ip fl_dup out { type filter hook output priority 0 ; policy accept ; }");
        await lab.RunAsync(lab.A, $"nft add rule ip fl_dup out ip daddr {lab.AddressB} udp dport {LabServer.UdpPort} dup to {lab.AddressB} device {lab.InterfaceA}");
        await lab.RunAsync(lab.A, $"nft add rule ip fl_dup out ip daddr {lab.AddressB} icmp type echo-request dup to {lab.AddressB} device {lab.InterfaceA}");

        var datagrams = await lab.UdpProbeAsync(100, TimeSpan.FromMilliseconds(1));
        Assert.Equal(0, datagrams.Lost);
        Assert.Equal(100, datagrams.Duplicates);
        Assert.Equal(200, datagrams.Datagrams);
        var ping = await lab.PingAsync(20, TimeSpan.FromMilliseconds(10));
        Assert.Equal(20, ping.Received);
        // ping -c stops at the last request's first reply, so that request's duplicate may come too late to count.
        Assert.InRange(ping.Duplicates, 19, 20);

        await lab.RunAsync(lab.A, "nft delete table ip fl_dup");
        var after = await lab.UdpProbeAsync(100, TimeSpan.FromMilliseconds(1));
        Assert.Equal(0, after.Duplicates);
        var clean = await lab.InspectAAsync();
        Assert.False(clean.HasTrace, clean.ToString());

        TestContext.Current.TestOutputHelper?.WriteLine($"{datagrams}\n{ping}\nafter: {after}");
    }

    [Fact]
    public async Task The_sweeper_deletes_old_lab_namespaces_and_leaves_young_ones()
    {
        LabRequirements.Require("ip");
        var cancellationToken = TestContext.Current.CancellationToken;
        var commands = new HostCommands();
        var name = $"fl-sweep-{Guid.NewGuid():N}"[..17];
        await commands.RunCheckedAsync(NetworkNamespace.Current, "ip", ["netns", "add", name], cancellationToken);
        var ns = NetworkNamespace.Named(name);
        try
        {
            Assert.True(LabSweeper.IsLabName(name));
            var young = await LabSweeper.SweepAsync(LabSweeper.DefaultAge, candidate => candidate == name, cancellationToken);
            Assert.Empty(young);
            Assert.True(ns.Exists);

            var old = await LabSweeper.SweepAsync(TimeSpan.Zero, candidate => candidate == name, cancellationToken);
            Assert.Equal([name], old);
            Assert.False(ns.Exists);
        }
        finally
        {
            if (ns.Exists)
            {
                await commands.RunAsync(NetworkNamespace.Current, "ip", ["netns", "delete", name], CancellationToken.None);
            }
        }
    }

    [Fact]
    public async Task A_connect_to_a_port_without_listener_is_refused_not_blocked()
    {
        await using var lab = await NetworkLab.CreateAsync();
        using var client = await lab.A.RunAsync(() => new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp));
        var refused = await Assert.ThrowsAsync<SocketException>(
            async () => await client.ConnectAsync(lab.AddressB, LabServer.UdpPort, TestContext.Current.CancellationToken));
        var attempt = TcpAttempt.From(refused, TimeSpan.Zero);
        Assert.Equal(TcpOutcome.Refused, attempt.Outcome);
        Assert.False(attempt.Blocked);
    }
}
