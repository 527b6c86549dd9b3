using System.Globalization;
using Faultline.Plugins.Network.Actions;
using Faultline.Plugins.Network.Tests.Lab;

namespace Faultline.Plugins.Network.Tests.Injection;

/// <summary>
/// What each action does to TCP, as an application feels it: connect time (the handshake) and response time (a
/// one-byte request echoed back on an open connection), measured before, during and after the fault. The other
/// tests measure each action by its own yardstick (ping, throughput, checksum, datagrams); this one shows the
/// TCP side of every action and that both times return to baseline after rollback.
/// </summary>
public sealed class TcpTimingTests
{
    private const int Samples = 30;

    private static readonly TimeSpan Baseline = TimeSpan.FromMilliseconds(5);

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    /// <summary>The effect on TCP that the action must show while in effect.</summary>
    public enum TcpEffect
    {
        /// <summary>Both times move into the delay's band (SYN and request leave through the delayed interface).</summary>
        Slowed,

        /// <summary>Lost segments are resent after TCP's retransmission timeout (at least 200 ms on Linux).</summary>
        Retransmits,

        /// <summary>Nothing gets through: every connect times out.</summary>
        Blocked,

        /// <summary>Timing is not the action's effect (its own test measures it): every attempt still succeeds.</summary>
        Unaffected,
    }

    public static TheoryData<NetworkAction, string, TcpEffect> Actions => new()
    {
        { NetworkAction.Delay, """{ "latency": "200ms", "jitter": "50ms" }""", TcpEffect.Slowed },
        { NetworkAction.Loss, """{ "percent": 30 }""", TcpEffect.Retransmits },
        { NetworkAction.Partition, "{}", TcpEffect.Blocked },
        { NetworkAction.Bandwidth, """{ "rate": "125kbps", "limit": 20000, "burst": 10000 }""", TcpEffect.Unaffected },
        { NetworkAction.Corrupt, """{ "percent": 20 }""", TcpEffect.Unaffected },
        { NetworkAction.Duplicate, """{ "percent": 50 }""", TcpEffect.Unaffected },
    };

    [Theory]
    [MemberData(nameof(Actions))]
    public async Task Tcp_connect_and_response_times_show_the_action_and_return_to_baseline(NetworkAction action, string parameters, TcpEffect effect)
    {
        await using var f = await NetworkFaultFixture.CreateAsync();
        var injector = f.Injector(action);
        var before = await MeasureAsync(f.Lab, TimeSpan.FromSeconds(2));
        var handle = await injector.InjectAsync(f.Request(parameters), Token);
        var verified = await injector.VerifyAsync(handle, Token);
        var during = await MeasureAsync(f.Lab, effect == TcpEffect.Blocked ? TimeSpan.FromMilliseconds(200) : TimeSpan.FromSeconds(3));
        await injector.RollbackAsync(handle, Token);
        var after = await MeasureAsync(f.Lab, TimeSpan.FromSeconds(2));

        TestContext.Current.TestOutputHelper?.WriteLine(
            $"{action} {parameters} via {verified.Evidence.Split(']')[0].TrimStart('[')}: "
            + $"connect {Median(before.Connect)} / {Median(during.Connect)} / {Median(after.Connect)}, "
            + $"response {Median(before.Response)} / {Median(during.Response)} / {Median(after.Response)} (median, before / during / after)");

        Assert.True(verified.InEffect, verified.Evidence);
        AssertAtBaseline(before, "before");
        switch (effect)
        {
            case TcpEffect.Slowed:
                Assert.True(during.Connect.AllSucceeded && during.Response.AllSucceeded, $"{during.Connect}; {during.Response}");
                Assert.InRange(during.Connect.Samples.Median.TotalMilliseconds, 150, 260);
                Assert.InRange(during.Response.Samples.Median.TotalMilliseconds, 150, 260);
                break;
            case TcpEffect.Retransmits:
                // 30% of 30 requests: the chance that none is lost is 0.7^30, about 2 in 100,000.
                Assert.Contains(during.Response.Attempts, attempt => !attempt.Succeeded || attempt.Elapsed >= TimeSpan.FromMilliseconds(200));
                break;
            case TcpEffect.Blocked:
                Assert.True(during.Connect.AllBlocked, $"{during.Connect}");
                break;
            case TcpEffect.Unaffected:
                Assert.True(during.Connect.AllSucceeded && during.Response.AllSucceeded, $"{during.Connect}; {during.Response}");
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(effect), effect, null);
        }

        AssertAtBaseline(after, "after rollback");
        var residue = await f.Lab.InspectAAsync(Token);
        Assert.False(residue.HasTrace, residue.ToString());
    }

    private static async Task<TcpTiming> MeasureAsync(NetworkLab lab, TimeSpan timeout)
    {
        var connect = await lab.TcpConnectAsync(Samples, timeout, Token);
        var response = await lab.TcpRoundTripAsync(Samples, timeout, Token);
        return new TcpTiming(connect, response);
    }

    private static void AssertAtBaseline(TcpTiming timing, string when)
    {
        Assert.True(timing.Connect.AllSucceeded && timing.Connect.Samples.Median < Baseline, $"connect {when}: {timing.Connect}");
        Assert.True(timing.Response.AllSucceeded && timing.Response.Samples.Median < Baseline, $"response {when}: {timing.Response}");
    }

    /// <summary>Median and slowest: a retransmission hides in the tail, not in the median.</summary>
    private static string Median(TcpProbeResult result) =>
        result.Succeeded == 0
            ? $"none ({result.Failed} failed)"
            : string.Create(CultureInfo.InvariantCulture, $"{result.Samples.Median.TotalMilliseconds:0.0} ms (max {result.Samples.Max.TotalMilliseconds:0} ms{(result.Failed > 0 ? $", {result.Failed} failed" : "")})");

    private sealed record TcpTiming(TcpProbeResult Connect, TcpProbeResult Response);
}
