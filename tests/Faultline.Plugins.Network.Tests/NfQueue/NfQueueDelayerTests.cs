using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using Faultline.Plugins.Network.NfQueue;
using Faultline.Testing;

namespace Faultline.Plugins.Network.Tests.NfQueue;

/// <summary>
/// The delayer against the real kernel: two namespaces joined by a veth pair, an iptables NFQUEUE rule on A's
/// side, and ping from A to B measuring what the delayer does to every packet.
/// </summary>
public sealed class NfQueueDelayerTests
{
    private static readonly DelayModel JitteredDelay = new(TimeSpan.FromMilliseconds(200), TimeSpan.FromMilliseconds(50));
    private static readonly DelayModel SteadyDelay = new(TimeSpan.FromMilliseconds(200), TimeSpan.Zero);

    private readonly RecordingPluginLog _log = new();

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Baseline_rtt_between_the_namespaces_is_under_5_ms()
    {
        await using var pair = await VethNamespacePair.CreateAsync(Token);

        var ping = await pair.PingAsync(Token);

        Assert.Equal(0, ping.LossPercent);
        Assert.True(ping.Median < 5, $"baseline {ping}");
    }

    [Fact]
    public async Task Jittered_delay_puts_every_packet_in_the_band_without_loss()
    {
        await using var pair = await VethNamespacePair.CreateAsync(Token);
        var queue = VethNamespacePair.RandomQueueNumber();
        await pair.AddQueueRuleAsync(queue, Token);
        var delayer = await NfQueueDelayer.StartAsync(pair.A, queue, JitteredDelay, _log);

        PingMeasurement ping;
        await using (delayer)
        {
            ping = await pair.PingAsync(Token);
        }

        var statistics = delayer.Statistics;
        Assert.Equal(40, ping.Transmitted);
        Assert.Equal(0, ping.LossPercent);
        Assert.InRange(ping.Median, 150, 260);
        Assert.True(ping.Spread >= 30, $"jitter 50 ms should spread the round trips: {ping}");

        // Every queued packet was let go exactly once, and on time.
        Assert.True(statistics.PacketsSeen >= 40, $"{statistics}");
        Assert.Equal(statistics.PacketsSeen, statistics.VerdictsSent);
        Assert.Equal(0, statistics.QueueDepth);
        Assert.True(statistics.MeanLateness < TimeSpan.FromMilliseconds(5), $"{statistics}");
        Assert.Null(delayer.Fault);
    }

    [Fact]
    public async Task Steady_delay_without_jitter_keeps_a_tight_band()
    {
        await using var pair = await VethNamespacePair.CreateAsync(Token);
        var queue = VethNamespacePair.RandomQueueNumber();
        await pair.AddQueueRuleAsync(queue, Token);
        await using var delayer = await NfQueueDelayer.StartAsync(pair.A, queue, SteadyDelay, _log);

        var ping = await pair.PingAsync(Token);

        Assert.Equal(0, ping.LossPercent);
        Assert.InRange(ping.Median, 195, 230);
        Assert.True(ping.Spread < 20, $"no jitter asked, yet the round trips spread: {ping}");
    }

    [Fact]
    public async Task After_dispose_and_rule_removal_rtt_is_back_to_baseline()
    {
        await using var pair = await VethNamespacePair.CreateAsync(Token);
        var queue = VethNamespacePair.RandomQueueNumber();
        await pair.AddQueueRuleAsync(queue, Token);
        var delayer = await NfQueueDelayer.StartAsync(pair.A, queue, SteadyDelay, _log);
        await using (delayer)
        {
            var delayed = await pair.PingAsync(Token, count: 10);
            Assert.True(delayed.Median > 150, $"the delayer was not delaying before dispose: {delayed}");
        }

        await pair.RemoveQueueRuleAsync(queue, Token);
        var after = await pair.PingAsync(Token);

        Assert.Equal(0, after.LossPercent);
        Assert.True(after.Median < 5, $"after dispose and rule removal: {after}");
    }

    [Fact]
    public async Task Queue_bypass_passes_traffic_at_baseline_when_no_delayer_is_bound()
    {
        await using var pair = await VethNamespacePair.CreateAsync(Token);
        var queue = VethNamespacePair.RandomQueueNumber();
        await pair.AddQueueRuleAsync(queue, Token);
        var delayer = await NfQueueDelayer.StartAsync(pair.A, queue, SteadyDelay, _log);
        await using (delayer)
        {
            var delayed = await pair.PingAsync(Token, count: 10);
            Assert.True(delayed.Median > 150, $"the delayer was not delaying: {delayed}");
        }

        // The rule still sends every packet to the queue, but nobody is bound: the state a crashed delayer leaves.
        var bypassed = await pair.PingAsync(Token);

        Assert.Equal(0, bypassed.LossPercent);
        Assert.True(bypassed.Median < 5, $"with the rule in place and no delayer: {bypassed}");
    }

    [Fact]
    public async Task A_listener_that_vanishes_without_unbinding_leaves_traffic_flowing()
    {
        await using var pair = await VethNamespacePair.CreateAsync(Token);
        var queue = VethNamespacePair.RandomQueueNumber();
        await pair.AddQueueRuleAsync(queue, Token);

        // What a crashed delayer leaves: its socket bound the queue, held packets, and was closed by the kernel
        // when the process died, with no unbind and no verdicts. Nothing of the delayer runs afterwards.
        var held = new List<uint>();
        var socket = await NfQueueSocket.OpenAsync(pair.A, queue, _log);
        Task<PingMeasurement> ping;
        using (socket)
        {
            socket.Bind(NfQueueDelayer.QueueMaxLength, held.Add);
            ping = pair.PingAsync(Token);
            while (held.Count < 5)
            {
                socket.Pump(TimeSpan.FromSeconds(5), held.Add);
            }
        }

        var measured = await ping;

        // The kernel drops what the vanished listener held; everything after it passes the queue undelayed.
        Assert.Equal(40, measured.Transmitted);
        Assert.InRange(measured.Transmitted - measured.Received, 0, held.Count);
        Assert.True(measured.Received >= 30, $"{measured}");
        Assert.True(measured.Percentile(100) < 5, $"a packet was delayed with nobody bound: {measured}");
    }

    [Fact]
    public async Task Binding_a_queue_that_is_already_bound_fails_clearly_and_leaves_the_first_delayer_working()
    {
        await using var pair = await VethNamespacePair.CreateAsync(Token);
        var queue = VethNamespacePair.RandomQueueNumber();
        await pair.AddQueueRuleAsync(queue, Token);
        await using var first = await NfQueueDelayer.StartAsync(pair.A, queue, SteadyDelay, _log);

        var refused = await Assert.ThrowsAsync<NfQueueException>(() => NfQueueDelayer.StartAsync(pair.A, queue, SteadyDelay, _log));

        Assert.Equal(1, refused.Errno);
        Assert.Contains($"NFQUEUE {queue} in {pair.A}", refused.Message, StringComparison.Ordinal);
        Assert.Contains("already bound", refused.Message, StringComparison.Ordinal);
        var stillDelayed = await pair.PingAsync(Token, count: 10);
        Assert.Equal(0, stillDelayed.LossPercent);
        Assert.True(stillDelayed.Median > 150, $"the refused second bind disturbed the first delayer: {stillDelayed}");
    }

    [Fact]
    public async Task Dispose_under_traffic_lets_every_held_packet_go()
    {
        await using var pair = await VethNamespacePair.CreateAsync(Token);
        var queue = VethNamespacePair.RandomQueueNumber();
        await pair.AddQueueRuleAsync(queue, Token);
        var delayer = await NfQueueDelayer.StartAsync(pair.A, queue, SteadyDelay, _log);
        int depthAtDispose;
        Task<PingMeasurement> ping;
        await using (delayer)
        {
            ping = pair.PingAsync(Token, count: 60, interval: "0.02");
            await Poll.UntilAsync(() => Task.FromResult(delayer.Statistics.PacketsSeen >= 20), TimeSpan.FromSeconds(10), "the delayer holds packets");
            depthAtDispose = delayer.Statistics.QueueDepth;
        }

        var measured = await ping;
        var statistics = delayer.Statistics;

        Assert.True(depthAtDispose > 0, "no packet was held when the delayer was disposed; the test proved nothing");
        Assert.Equal(60, measured.Transmitted);
        Assert.Equal(0, measured.LossPercent);
        Assert.Equal(statistics.PacketsSeen, statistics.VerdictsSent);
        Assert.Equal(0, statistics.VerdictErrors);
    }

    [Fact]
    public async Task A_full_receive_buffer_is_an_overrun_and_what_did_not_fit_passes_undelayed()
    {
        const int Datagrams = 40;
        const int Port = 40404;
        await using var pair = await VethNamespacePair.CreateAsync(Token);
        var queue = VethNamespacePair.RandomQueueNumber();
        await pair.AddQueueRuleAsync(queue, Token);
        using var receiver = await VethNamespacePair.OpenUdpSocketAsync(pair.B, pair.AddressB, Port);
        using var sender = await VethNamespacePair.OpenUdpSocketAsync(pair.A);
        var held = new List<uint>();
        using var socket = await NfQueueSocket.OpenAsync(pair.A, queue, _log, receiveBufferBytes: 4096, receiveBufferLimit: 1 << 20);
        socket.Bind(NfQueueDelayer.QueueMaxLength, held.Add);

        // Nobody reads the queue while 40 numbered datagrams pass the hook: a few messages fill the buffer, the
        // rest cannot be delivered and the kernel lets those packets go at once (fail-open) instead of dropping them.
        var destination = new IPEndPoint(IPAddress.Parse(pair.AddressB), Port);
        for (var number = 1; number <= Datagrams; number++)
        {
            await sender.SendToAsync(BitConverter.GetBytes(number), destination, Token);
        }

        var counters = await pair.ReadQueueCountersAsync(queue, Token);
        Assert.Equal(Datagrams, (int)counters!.IdSequence);
        var queued = counters.QueueTotal;
        Assert.InRange(queued, 1, Datagrams - 1);
        var arrived = new HashSet<int>();
        ReceiveUntil(receiver, arrived, Datagrams - queued);

        // Queue length 0: from its ack on nothing is queued any more; the queued packets reach held before it.
        socket.SetQueueMaxLength(0, held.Add);
        Assert.Equal(queued, held.Count);
        socket.Accept(CollectionsMarshal.AsSpan(held));
        ReceiveUntil(receiver, arrived, Datagrams);
        var after = await pair.ReadQueueCountersAsync(queue, Token);

        Assert.True(socket.ReceiveOverruns >= 1, $"a full buffer was not reported: {counters}");
        Assert.Contains(_log.Lines, line => line.Contains("receive buffer overrun (1 so far)", StringComparison.Ordinal));

        // The full buffer also swallowed the ack of the queue-length request, which was therefore asked again.
        Assert.Contains(_log.Lines, line => line.Contains("queue length 0: the answer was lost to a receive buffer overrun; asking again", StringComparison.Ordinal));
        Assert.Equal(Enumerable.Range(1, Datagrams), arrived.Order());
        Assert.Equal(new KernelQueueCounters(queue, socket.PortId, 0, 0, 0, Datagrams), after);
    }

    [Fact]
    public async Task A_burst_far_beyond_the_receive_buffer_loses_nothing_and_the_delayer_carries_on()
    {
        await using var pair = await VethNamespacePair.CreateAsync(Token);
        var queue = VethNamespacePair.RandomQueueNumber();
        await pair.AddQueueRuleAsync(queue, Token);

        // A receive buffer of a few messages, never raised, against bursts of 100 packets.
        var model = new DelayModel(TimeSpan.FromMilliseconds(20), TimeSpan.Zero);
        var delayer = await NfQueueDelayer.StartAsync(pair.A, queue, model, _log, receiveBufferBytes: 4096, receiveBufferLimit: 4096, random: null);
        PingMeasurement burst;
        await using (delayer)
        {
            burst = await pair.PingAsync(Token, count: 400, interval: "0.002", preload: 100);
        }

        var statistics = delayer.Statistics;
        TestContext.Current.TestOutputHelper?.WriteLine($"{statistics}");
        Assert.Equal(400, burst.Transmitted);
        Assert.Equal(0, burst.LossPercent);
        Assert.Null(delayer.Fault);
        Assert.True(statistics.PacketsSeen > 0, $"{statistics}");
        Assert.Equal(statistics.PacketsSeen, statistics.VerdictsSent);
        Assert.Equal(0, statistics.VerdictErrors);
    }

    /// <summary>Collects datagram numbers until <paramref name="count"/> distinct ones arrived (a duplicate is a failure).</summary>
    private static void ReceiveUntil(Socket receiver, HashSet<int> arrived, int count)
    {
        var buffer = new byte[64];
        var deadline = Stopwatch.StartNew();
        while (arrived.Count < count)
        {
            Assert.True(deadline.Elapsed < TimeSpan.FromSeconds(10), $"only {arrived.Count} of {count} datagrams arrived: [{string.Join(',', arrived.Order())}]");
            if (receiver.Poll(TimeSpan.FromMilliseconds(100), SelectMode.SelectRead))
            {
                var length = receiver.Receive(buffer);
                Assert.Equal(sizeof(int), length);
                Assert.True(arrived.Add(BitConverter.ToInt32(buffer)), "a datagram arrived twice");
            }
        }
    }
}
