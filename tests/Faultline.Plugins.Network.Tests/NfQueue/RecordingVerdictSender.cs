using System.Diagnostics;
using Faultline.Plugins.Network.NfQueue;

namespace Faultline.Plugins.Network.Tests.NfQueue;

/// <summary>A verdict sender that notes each accepted id with the time it was sent, and can be told to fail.</summary>
internal sealed class RecordingVerdictSender : IVerdictSender
{
    private readonly Lock _gate = new();
    private readonly List<(uint PacketId, long SentAt)> _accepted = [];
    private readonly List<TaskCompletionSource> _waiters = [];
    private readonly List<int> _waitedCounts = [];

    public bool Failing { get; set; }

    public int Sends { get; private set; }

    public IReadOnlyList<(uint PacketId, long SentAt)> Accepted
    {
        get
        {
            lock (_gate)
            {
                return [.. _accepted];
            }
        }
    }

    public void Accept(ReadOnlySpan<uint> packetIds)
    {
        if (Failing)
        {
            throw new NfQueueException("send failed (test)");
        }

        var now = Stopwatch.GetTimestamp();
        lock (_gate)
        {
            Sends++;
            foreach (var packetId in packetIds)
            {
                _accepted.Add((packetId, now));
            }

            for (var index = _waiters.Count - 1; index >= 0; index--)
            {
                if (_accepted.Count >= _waitedCounts[index])
                {
                    _waiters[index].TrySetResult();
                    _waiters.RemoveAt(index);
                    _waitedCounts.RemoveAt(index);
                }
            }
        }
    }

    /// <summary>Completes once <paramref name="count"/> packets were accepted in all.</summary>
    public Task WhenAcceptedAsync(int count)
    {
        lock (_gate)
        {
            if (_accepted.Count >= count)
            {
                return Task.CompletedTask;
            }

            var waiter = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _waiters.Add(waiter);
            _waitedCounts.Add(count);
            return waiter.Task;
        }
    }
}
