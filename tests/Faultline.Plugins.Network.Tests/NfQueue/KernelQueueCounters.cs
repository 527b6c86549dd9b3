using System.Globalization;

namespace Faultline.Plugins.Network.Tests.NfQueue;

/// <summary>
/// One queue's line of <c>/proc/net/netfilter/nfnetlink_queue</c>, the kernel's own count of what it did:
/// queue number, owner port id, packets queued now, copy mode, copy range, dropped, dropped by user, last packet id.
/// </summary>
internal sealed record KernelQueueCounters(ushort QueueNumber, uint PortId, int QueueTotal, int Dropped, int UserDropped, uint IdSequence)
{
    /// <summary>The line for <paramref name="queueNumber"/>, or null when no socket binds it.</summary>
    public static KernelQueueCounters? Find(string procFile, ushort queueNumber)
    {
        foreach (var line in procFile.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length >= 8 && ushort.Parse(fields[0], CultureInfo.InvariantCulture) == queueNumber)
            {
                return new KernelQueueCounters(
                    queueNumber,
                    uint.Parse(fields[1], CultureInfo.InvariantCulture),
                    int.Parse(fields[2], CultureInfo.InvariantCulture),
                    int.Parse(fields[5], CultureInfo.InvariantCulture),
                    int.Parse(fields[6], CultureInfo.InvariantCulture),
                    uint.Parse(fields[7], CultureInfo.InvariantCulture));
            }
        }

        return null;
    }
}
