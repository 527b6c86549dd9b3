using System.Diagnostics;
using Faultline.Plugins.Network.NfQueue;

namespace Faultline.Plugins.Network.Tests.NfQueue;

/// <summary>The verdict scheduler with a recording sender: order, punctuality, release at stop, and no packet forgotten.</summary>
public sealed class VerdictSchedulerTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task Packets_are_accepted_in_due_order_and_never_before_their_due_time()
    {
        var sender = new RecordingVerdictSender();
        using var scheduler = new VerdictScheduler(sender, exception => Assert.Fail(exception.ToString()), "test verdicts");
        scheduler.Start();
        var now = Stopwatch.GetTimestamp();
        var dues = new Dictionary<uint, long>
        {
            [1] = now + Ticks(60),
            [2] = now + Ticks(20),
            [3] = now + Ticks(40),
            [4] = now + Ticks(20),
        };

        foreach (var (packetId, due) in dues)
        {
            scheduler.Hold(packetId, due);
        }

        await sender.WhenAcceptedAsync(4).WaitAsync(Patience, TestContext.Current.CancellationToken);

        var accepted = sender.Accepted;
        Assert.Equal([1u, 2u, 3u, 4u], accepted.Select(verdict => verdict.PacketId).Order());

        // The record is in send order: due times must never go backwards along it.
        var dueInSendOrder = accepted.Select(verdict => dues[verdict.PacketId]).ToArray();
        Assert.Equal(dueInSendOrder.Order(), dueInSendOrder);
        Assert.All(accepted, verdict => Assert.True(verdict.SentAt >= dues[verdict.PacketId], $"packet {verdict.PacketId} went {Stopwatch.GetElapsedTime(verdict.SentAt, dues[verdict.PacketId]).TotalMilliseconds:F3} ms early"));
        Assert.Equal(4, scheduler.VerdictsSent);
        Assert.Equal(0, scheduler.Depth);
        Assert.True(scheduler.MaxLateness >= scheduler.MeanLateness);
    }

    [Fact]
    public async Task An_earlier_packet_arriving_later_is_not_kept_waiting_behind_a_later_one()
    {
        var sender = new RecordingVerdictSender();
        using var scheduler = new VerdictScheduler(sender, exception => Assert.Fail(exception.ToString()), "test verdicts");
        scheduler.Start();
        scheduler.Hold(1, Stopwatch.GetTimestamp() + Ticks(60_000));

        var due = Stopwatch.GetTimestamp() + Ticks(10);
        scheduler.Hold(2, due);
        await sender.WhenAcceptedAsync(1).WaitAsync(Patience, TestContext.Current.CancellationToken);

        var verdict = Assert.Single(sender.Accepted);
        Assert.Equal(2u, verdict.PacketId);
        Assert.True(verdict.SentAt >= due);
        Assert.Equal(1, scheduler.Depth);
    }

    [Fact]
    public void Stop_accepts_every_held_packet_at_once_and_later_packets_immediately()
    {
        var sender = new RecordingVerdictSender();
        using var scheduler = new VerdictScheduler(sender, exception => Assert.Fail(exception.ToString()), "test verdicts");
        scheduler.Start();
        var inAnHour = Stopwatch.GetTimestamp() + Ticks(3_600_000);
        for (uint packetId = 1; packetId <= 1000; packetId++)
        {
            scheduler.Hold(packetId, inAnHour);
        }

        Assert.Equal(1000, scheduler.Depth);
        scheduler.StopAndReleaseAll();
        scheduler.Hold(1001, inAnHour);

        Assert.Equal(Enumerable.Range(1, 1001).Select(id => (uint)id), sender.Accepted.Select(verdict => verdict.PacketId).Order());
        Assert.Equal(0, scheduler.Depth);
        Assert.Equal(1001, scheduler.VerdictsSent);
        Assert.Equal(2, sender.Sends);
    }

    [Fact]
    public async Task A_failed_send_reports_the_fault_and_keeps_the_packets_for_the_release()
    {
        var sender = new RecordingVerdictSender { Failing = true };
        var fault = new TaskCompletionSource<Exception>(TaskCreationOptions.RunContinuationsAsynchronously);
        using var scheduler = new VerdictScheduler(sender, exception => fault.TrySetResult(exception), "test verdicts");
        scheduler.Start();
        var now = Stopwatch.GetTimestamp();
        scheduler.Hold(1, now);
        scheduler.Hold(2, now + Ticks(3_600_000));

        var reported = await fault.Task.WaitAsync(Patience, TestContext.Current.CancellationToken);

        Assert.IsType<NfQueueException>(reported);
        Assert.Equal(2, scheduler.Depth);
        sender.Failing = false;
        scheduler.StopAndReleaseAll();
        Assert.Equal([1u, 2u], sender.Accepted.Select(verdict => verdict.PacketId).Order());
    }

    private static long Ticks(double milliseconds) => (long)(milliseconds * Stopwatch.Frequency / 1000);
}
