using Faultline.Plugins.Network.Actions;
using Faultline.Sdk.Injection;

namespace Faultline.Plugins.Network.Tests.Netem;

/// <summary>
/// The network injectors on a kernel with tc netem, measured for real between two namespaces: the engine chosen
/// is netem (its evidence starts with "[Netem]"), the effect is what was asked, and after rollback the namespace
/// is back to its baseline with no trace. This machine's kernel has no netem, so these run in the kernel lab
/// (./scripts/netem-tests, Debian's stock kernel under qemu); elsewhere they skip with the reason. Few and short:
/// under software emulation every second counts.
/// </summary>
[Trait("Category", "Netem")]
public sealed class NetemInjectorTests
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Delay_of_200_ms_with_50_ms_jitter_is_netem_and_moves_the_median_rtt_into_the_band_and_back()
    {
        await using var f = await NetemLab.CreateAsync();
        var before = await f.Lab.PingAsync(10, TimeSpan.FromMilliseconds(20), Token);
        var delay = f.Injector(NetworkAction.Delay);
        var handle = await delay.InjectAsync(f.Request("""{ "latency": "200ms", "jitter": "50ms" }"""), Token);

        var verified = await delay.VerifyAsync(handle, Token);
        var during = await f.Lab.PingAsync(30, TimeSpan.FromMilliseconds(50), Token);
        var removed = await delay.RollbackAsync(handle, Token);
        var after = await f.Lab.PingAsync(10, TimeSpan.FromMilliseconds(20), Token);
        NetemLab.Report($"delay 200ms ± 50ms: before {before}; during {during}; after {after}; {verified.Evidence}");

        Assert.True(verified.InEffect, verified.Evidence);
        Assert.StartsWith("[Netem]", verified.Evidence, StringComparison.Ordinal);
        Assert.Contains("delay 200ms", verified.Evidence, StringComparison.Ordinal);
        // Under qemu's software emulation an idle veth answers in well under a millisecond, the first ping in a few.
        Assert.True(before.Rtt.Median < TimeSpan.FromMilliseconds(20), $"baseline {before}");
        Assert.InRange(during.Rtt.Median.TotalMilliseconds, 150, 260);
        Assert.Equal(0, during.Lost);
        Assert.Equal(RollbackStatus.Removed, removed.Status);
        Assert.True(after.Rtt.Median < TimeSpan.FromMilliseconds(20), $"after rollback {after}");
        await f.AssertNoTraceAsync();
        Assert.False((await delay.VerifyAsync(handle, Token)).InEffect);
    }

    [Fact]
    public async Task Loss_of_30_percent_is_netem_drops_20_to_40_percent_of_200_pings_and_stops_after_rollback()
    {
        await using var f = await NetemLab.CreateAsync();
        var loss = f.Injector(NetworkAction.Loss);
        var handle = await loss.InjectAsync(f.Request("""{ "percent": 30 }"""), Token);

        var verified = await loss.VerifyAsync(handle, Token);
        var during = await f.Lab.PingAsync(200, TimeSpan.FromMilliseconds(10), Token);
        var removed = await loss.RollbackAsync(handle, Token);
        var after = await f.Lab.PingAsync(50, TimeSpan.FromMilliseconds(10), Token);

        // Correlated loss, which the nftables fallback refuses, is netem's to honour.
        var correlated = await loss.ValidateAsync(f.Request("""{ "percent": 5, "correlation": 25 }"""), Token);
        NetemLab.Report($"loss 30%: during {during}; after {after}; {verified.Evidence}");

        Assert.True(verified.InEffect, verified.Evidence);
        Assert.StartsWith("[Netem]", verified.Evidence, StringComparison.Ordinal);
        Assert.Contains("loss", verified.Evidence, StringComparison.Ordinal);
        Assert.InRange(during.LossRatio, 0.20, 0.40);
        Assert.Equal(RollbackStatus.Removed, removed.Status);
        Assert.Equal(0, after.Lost);
        Assert.True(correlated.IsValid, string.Join("; ", correlated.Errors));
        await f.AssertNoTraceAsync();
        Assert.Equal(RollbackStatus.AlreadyAbsent, (await loss.RollbackAsync(handle, Token)).Status);
    }

    [Fact]
    public async Task Reordering_which_only_netem_can_do_is_accepted_and_reorders_datagrams_until_rollback()
    {
        await using var f = await NetemLab.CreateAsync();
        var reorder = f.Injector(NetworkAction.Reorder);
        var request = f.Request("""{ "percent": 50, "latency": "20ms" }""");

        var validation = await reorder.ValidateAsync(request, Token);
        var handle = await reorder.InjectAsync(request, Token);
        var verified = await reorder.VerifyAsync(handle, Token);
        var during = await f.Lab.UdpProbeAsync(200, TimeSpan.FromMilliseconds(2), cancellationToken: Token);
        await reorder.RollbackAsync(handle, Token);
        var after = await f.Lab.UdpProbeAsync(100, TimeSpan.FromMilliseconds(2), cancellationToken: Token);
        NetemLab.Report($"reorder 50% (20ms): during {during}; after {after}; {verified.Evidence}");

        Assert.True(validation.IsValid, string.Join("; ", validation.Errors));
        Assert.StartsWith("[Netem]", verified.Evidence, StringComparison.Ordinal);
        Assert.Contains("reorder", verified.Evidence, StringComparison.Ordinal);
        // Half the datagrams skip the 20 ms queue and overtake those held in it, which arrive late.
        Assert.InRange(during.Reordered, 40, 150);
        Assert.Equal(0, during.Lost);
        Assert.Equal(0, after.Reordered);
        await f.AssertNoTraceAsync();
    }

    [Fact]
    public async Task Duplication_by_netem_doubles_about_the_asked_share_of_datagrams()
    {
        await using var f = await NetemLab.CreateAsync();
        var duplicate = f.Injector(NetworkAction.Duplicate);
        var handle = await duplicate.InjectAsync(f.Request("""{ "percent": 50 }"""), Token);

        var verified = await duplicate.VerifyAsync(handle, Token);
        var during = await f.Lab.UdpProbeAsync(200, TimeSpan.FromMilliseconds(2), cancellationToken: Token);
        await duplicate.RollbackAsync(handle, Token);
        var after = await f.Lab.UdpProbeAsync(100, TimeSpan.FromMilliseconds(2), cancellationToken: Token);
        NetemLab.Report($"duplicate 50%: during {during}; after {after}; {verified.Evidence}");

        Assert.StartsWith("[Netem]", verified.Evidence, StringComparison.Ordinal);
        Assert.Contains("duplicate", verified.Evidence, StringComparison.Ordinal);
        Assert.InRange(during.DuplicateRatio, 0.35, 0.65);
        Assert.Equal(0, during.Lost);
        Assert.Equal(0, after.Duplicates);
        await f.AssertNoTraceAsync();
    }

    [Fact]
    public async Task Corruption_by_netem_flips_bits_that_the_receivers_checksums_catch_until_rollback()
    {
        await using var f = await NetemLab.CreateAsync();
        var corrupt = f.Injector(NetworkAction.Corrupt);
        var handle = await corrupt.InjectAsync(f.Request("""{ "percent": 20 }"""), Token);

        var verified = await corrupt.VerifyAsync(handle, Token);
        var countersBefore = await SnmpCounters.ReadAsync(f.Lab, f.Lab.B, Token);
        var during = await f.Lab.UdpProbeAsync(200, TimeSpan.FromMilliseconds(2), cancellationToken: Token);
        var countersDuring = await SnmpCounters.ReadAsync(f.Lab, f.Lab.B, Token);
        await corrupt.RollbackAsync(handle, Token);
        var after = await f.Lab.UdpProbeAsync(100, TimeSpan.FromMilliseconds(2), cancellationToken: Token);

        // netem fills in the checksum before flipping a bit, so B's stack refuses the datagram (UDP or IP header
        // checksum) rather than delivering it mangled; a flip in the Ethernet header mostly drops it silently.
        var caught = CaughtByChecksum(countersDuring) - CaughtByChecksum(countersBefore);
        NetemLab.Report($"corrupt 20%: during {during}, {caught} refused by B's checksums; after {after}; {verified.Evidence}");

        Assert.StartsWith("[Netem]", verified.Evidence, StringComparison.Ordinal);
        Assert.Contains("corrupt", verified.Evidence, StringComparison.Ordinal);
        Assert.InRange(during.LossRatio, 0.08, 0.32);
        Assert.InRange(caught, 10, during.Lost);
        Assert.Equal(0, after.Lost);
        await f.AssertNoTraceAsync();
    }

    private static long CaughtByChecksum(SnmpCounters counters) => counters["Udp.InCsumErrors"] + counters["Ip.InHdrErrors"];
}
