using Faultline.Plugins.Network.Actions;
using Faultline.Plugins.Network.Engines;
using Faultline.Plugins.Network.Host;
using Faultline.Plugins.Network.Tests.Injection;
using Faultline.Plugins.Network.Tests.Lab;
using Faultline.Sdk.Injection;

namespace Faultline.Plugins.Network.Tests.Netem;

/// <summary>
/// Destination-filtered netem and tbf (a prio root, the fault on its extra band, u32 filters), measured for real
/// in the kernel lab: the matched traffic gets the fault, the rest of the same interface stays at its baseline,
/// and rollback, a crashed process's leftovers and an inject failing halfway all end with no trace.
/// </summary>
[Trait("Category", "Netem")]
public sealed class NetemFilterTests
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Delay_to_one_of_the_peers_addresses_delays_that_address_only_and_leaves_nothing_after_rollback()
    {
        await using var f = await NetemLab.CreateAsync();
        var delay = f.Injector(NetworkAction.Delay);
        var handle = await delay.InjectAsync(f.Request($$"""{ "latency": "200ms", "externalTargets": ["{{f.Lab.AddressB2}}"] }"""), Token);

        var verified = await delay.VerifyAsync(handle, Token);
        var residue = await f.Lab.InspectAAsync(Token);
        var matched = await f.Lab.PingAsync(f.Lab.AddressB2, 10, TimeSpan.FromMilliseconds(50), Token);
        var unmatched = await f.Lab.PingAsync(f.Lab.AddressB, 10, TimeSpan.FromMilliseconds(50), Token);
        var removed = await delay.RollbackAsync(handle, Token);
        var after = await f.Lab.PingAsync(f.Lab.AddressB2, 10, TimeSpan.FromMilliseconds(20), Token);
        NetemLab.Report($"delay 200ms to {f.Lab.AddressB2}: matched {matched}; unmatched ({f.Lab.AddressB}) {unmatched}; after {after}; {verified.Evidence}; during: {residue}");

        Assert.True(verified.InEffect, verified.Evidence);
        Assert.StartsWith("[Netem]", verified.Evidence, StringComparison.Ordinal);
        Assert.Contains("qdisc prio fa17: root", verified.Evidence, StringComparison.Ordinal);
        Assert.Contains("qdisc netem fa18: parent fa17:4", verified.Evidence, StringComparison.Ordinal);
        Assert.Contains("1 of 1 u32 filter(s)", verified.Evidence, StringComparison.Ordinal);

        // While the fault is on, the residue inspector sees all three parts of it.
        Assert.Contains(residue.Traces, trace => trace.StartsWith("qdisc prio fa17:", StringComparison.Ordinal));
        Assert.Contains(residue.Traces, trace => trace.StartsWith("qdisc netem fa18:", StringComparison.Ordinal));
        Assert.Contains(residue.Traces, trace => trace.StartsWith("filter u32", StringComparison.Ordinal) && trace.EndsWith("flowid fa17:4", StringComparison.Ordinal));

        Assert.InRange(matched.Rtt.Median.TotalMilliseconds, 190, 260);
        Assert.Equal(0, matched.Lost);
        Assert.True(unmatched.Rtt.Max < TimeSpan.FromMilliseconds(50), $"the other address must not be delayed: {unmatched}");
        Assert.Equal(RollbackStatus.Removed, removed.Status);
        Assert.True(after.Rtt.Median < TimeSpan.FromMilliseconds(20), $"after rollback {after}");
        await f.AssertNoTraceAsync();
        Assert.False((await delay.VerifyAsync(handle, Token)).InEffect);
        Assert.Equal(RollbackStatus.AlreadyAbsent, (await delay.RollbackAsync(handle, Token)).Status);
    }

    [Fact]
    public async Task Delay_to_one_port_delays_tcp_handshakes_to_that_port_only_and_neither_other_ports_nor_ping()
    {
        await using var f = await NetemLab.CreateAsync();

        // Under emulation a first connect pays for compiling the probe's code paths: paid here, before the fault.
        var baseline = await f.Lab.Tcp.ConnectAsync(LabServer.SinkPort, 3, TimeSpan.FromSeconds(2), Token);
        var delay = f.Injector(NetworkAction.Delay);
        var handle = await delay.InjectAsync(f.Request($$"""{ "latency": "200ms", "externalTargets": ["{{f.Lab.AddressB}}"], "ports": [{{LabServer.EchoPort}}] }"""), Token);

        var verified = await delay.VerifyAsync(handle, Token);
        var matched = await f.Lab.Tcp.ConnectAsync(LabServer.EchoPort, 8, TimeSpan.FromSeconds(2), Token);
        var otherPort = await f.Lab.Tcp.ConnectAsync(LabServer.SinkPort, 8, TimeSpan.FromSeconds(2), Token);
        var ping = await f.Lab.PingAsync(10, TimeSpan.FromMilliseconds(20), Token);
        await delay.RollbackAsync(handle, Token);
        var after = await f.Lab.Tcp.ConnectAsync(LabServer.EchoPort, 8, TimeSpan.FromSeconds(2), Token);
        NetemLab.Report($"delay 200ms to port {LabServer.EchoPort}: baseline {baseline}; matched {matched}; port {LabServer.SinkPort} {otherPort}; ping {ping}; after {after}; {verified.Evidence}");

        Assert.True(verified.InEffect, verified.Evidence);
        Assert.Contains("2 of 2 u32 filter(s)", verified.Evidence, StringComparison.Ordinal);
        Assert.True(matched.AllSucceeded, $"{matched}");
        Assert.InRange(matched.Samples.Median.TotalMilliseconds, 190, 260);
        Assert.True(matched.Samples.Min >= TimeSpan.FromMilliseconds(195), $"every handshake to the port goes through the 200 ms band: {matched}");

        // None of the other port's handshakes went through the band (each would take 200 ms at least).
        Assert.True(otherPort.AllSucceeded && otherPort.Samples.Max < TimeSpan.FromMilliseconds(190) && otherPort.Samples.Median < TimeSpan.FromMilliseconds(50), $"another port must not be delayed: {otherPort}");
        Assert.True(ping.Rtt.Max < TimeSpan.FromMilliseconds(50), $"ICMP is no TCP or UDP to the port: {ping}");
        Assert.True(after.Samples.Median < TimeSpan.FromMilliseconds(20), $"after rollback {after}");
        await f.AssertNoTraceAsync();
    }

    [Fact]
    public async Task Loss_of_30_percent_to_one_udp_port_drops_about_that_share_of_its_datagrams_and_no_pings()
    {
        await using var f = await NetemLab.CreateAsync();
        var loss = f.Injector(NetworkAction.Loss);
        var handle = await loss.InjectAsync(f.Request($$"""{ "percent": 30, "externalTargets": ["{{f.Lab.AddressB}}"], "ports": [{{LabServer.UdpPort}}] }"""), Token);

        var verified = await loss.VerifyAsync(handle, Token);
        var matched = await f.Lab.UdpProbeAsync(300, TimeSpan.FromMilliseconds(2), cancellationToken: Token);
        var unmatched = await f.Lab.PingAsync(100, TimeSpan.FromMilliseconds(10), Token);
        await loss.RollbackAsync(handle, Token);
        var after = await f.Lab.UdpProbeAsync(100, TimeSpan.FromMilliseconds(2), cancellationToken: Token);
        NetemLab.Report($"loss 30% to udp {LabServer.UdpPort}: matched {matched}; ping {unmatched}; after {after}; {verified.Evidence}");

        Assert.True(verified.InEffect, verified.Evidence);
        Assert.StartsWith("[Netem]", verified.Evidence, StringComparison.Ordinal);
        Assert.Contains("loss", verified.Evidence, StringComparison.Ordinal);
        Assert.InRange(matched.LossRatio, 0.20, 0.40);
        Assert.Equal(0, unmatched.Lost);
        Assert.Equal(0, after.Lost);
        await f.AssertNoTraceAsync();
    }

    [Fact]
    public async Task Bandwidth_for_one_port_caps_that_port_while_pings_pass_ahead_of_the_shaped_band()
    {
        await using var f = await NetemLab.CreateAsync();
        var bandwidth = f.Injector(NetworkAction.Bandwidth);
        var handle = await bandwidth.InjectAsync(
            f.Request($$"""{ "rate": "125kbps", "limit": 20000, "burst": 10000, "externalTargets": ["{{f.Lab.AddressB}}"], "ports": [{{LabServer.SinkPort}}] }"""), Token);

        var verified = await bandwidth.VerifyAsync(handle, Token);
        var shaped = f.Lab.ThroughputForAsync(TimeSpan.FromSeconds(4), TimeSpan.FromSeconds(15), Token);
        var ping = await f.Lab.PingAsync(20, TimeSpan.FromMilliseconds(100), Token);
        var during = await shaped;
        await bandwidth.RollbackAsync(handle, Token);
        var after = await f.Lab.ThroughputForAsync(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(10), Token);
        NetemLab.Report($"bandwidth 125 kB/s to port {LabServer.SinkPort}: during {during}; ping meanwhile {ping}; after {after}; {verified.Evidence}");

        Assert.True(verified.InEffect, verified.Evidence);
        Assert.StartsWith("[Tbf]", verified.Evidence, StringComparison.Ordinal);
        Assert.Contains("qdisc tbf fa18: parent fa17:4", verified.Evidence, StringComparison.Ordinal);
        Assert.InRange(during.BytesPerSecond, 125_000 * 0.8, 125_000 * 1.2);
        Assert.Equal(0, ping.Lost);
        Assert.True(ping.Rtt.Median < TimeSpan.FromMilliseconds(20), $"unmatched traffic must not queue behind the shaped band: {ping}");
        Assert.True(after.BytesPerSecond > 1_000_000, $"after rollback {after}");
        await f.AssertNoTraceAsync();
    }

    [Fact]
    public async Task A_crashed_processes_filtered_fault_is_found_with_and_without_its_journal_and_a_second_root_is_refused()
    {
        await using var f = await NetemLab.CreateAsync();
        var filtered = f.Request($$"""{ "percent": 50, "externalTargets": ["{{f.Lab.AddressB2}}"], "ports": [{{LabServer.UdpPort}}] }""");
        var unfiltered = f.Request("""{ "latency": "10ms" }""");
        var handle = await f.Injector(NetworkAction.Loss).InjectAsync(filtered, Token);

        // Filtered or not, both want the interface's root qdisc: the claims say so, and the engine refuses to stack.
        Assert.NotEmpty(f.Injector(NetworkAction.Loss).Claims(filtered).Intersect(f.Injector(NetworkAction.Delay).Claims(unfiltered)));
        var second = await Assert.ThrowsAsync<InterfaceTakenException>(async () => await f.Injector(NetworkAction.Delay).InjectAsync(unfiltered, Token));
        Assert.Contains("fa17:", second.Message, StringComparison.Ordinal);
        Assert.True((await f.Injector(NetworkAction.Loss).VerifyAsync(handle, Token)).InEffect, "the refused inject must leave the first fault whole");
        Assert.Single(Directory.EnumerateFiles(Path.Combine(f.StateDirectory, "faults")));

        // A fresh process with the journal knows the fault by its id...
        await using (var withJournal = NetworkFaultFixture.NewFaults(f.StateDirectory))
        {
            var found = Assert.Single(await f.Injector(NetworkAction.Loss, withJournal).ListLeftoversAsync(f.Target, Token));
            Assert.Equal(handle.FaultId, found.FaultId);
        }

        // ...and without it by Faultline's handle fa17:, and removes all of it.
        foreach (var journal in Directory.EnumerateFiles(Path.Combine(f.StateDirectory, "faults")))
        {
            File.Delete(journal);
        }

        await using var fresh = NetworkFaultFixture.NewFaults(f.StateDirectory);
        var leftover = Assert.Single(await f.Injector(NetworkAction.Loss, fresh).ListLeftoversAsync(f.Target, Token));
        var removed = await f.Injector(NetworkAction.Loss, fresh).RollbackAsync(leftover, Token);

        Assert.StartsWith("unjournaled-netem-", leftover.FaultId, StringComparison.Ordinal);
        Assert.Equal(RollbackStatus.Removed, removed.Status);
        Assert.Empty(await f.Injector(NetworkAction.Loss, fresh).ListLeftoversAsync(f.Target, Token));
        await f.AssertNoTraceAsync();
    }

    [Fact]
    public async Task An_inject_that_fails_after_the_prio_and_netem_are_in_removes_them_before_it_throws()
    {
        await using var f = await NetemLab.CreateAsync();
        var engine = f.Faults.Engine(EngineKind.Netem);
        var parameters = NetworkParameters.Read(NetworkAction.Delay, System.Text.Json.JsonDocument.Parse("""{ "latency": "100ms" }""").RootElement, [])!;

        // The second filter names port 70000, which tc refuses: by then the prio, the netem and the first filter are in.
        var state = new EngineState("halfway", EngineKind.Netem, NetworkAction.Delay, Direction.To, f.Lab.A.Path, f.Lab.NameA, f.Lab.InterfaceA,
            Filters: [new TcFilter("ip", $"{f.Lab.AddressB}/32", 6, LabServer.EchoPort), new TcFilter("ip", $"{f.Lab.AddressB}/32", 6, 70_000)]);

        var failed = await Assert.ThrowsAsync<NetworkCommandException>(async () => await engine.ApplyAsync(state, parameters, Token));
        NetemLab.Report($"failed halfway: {failed.Message}");

        Assert.False((await engine.InspectAsync(state, Token)).Present);
        await f.AssertNoTraceAsync();
        Assert.Equal(0, (await f.Lab.PingAsync(5, TimeSpan.FromMilliseconds(20), Token)).Lost);
    }
}
