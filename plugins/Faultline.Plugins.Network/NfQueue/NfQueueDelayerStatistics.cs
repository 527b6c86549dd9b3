namespace Faultline.Plugins.Network.NfQueue;

/// <summary>What a delayer has done so far, for evidence and for checking that it keeps its schedule.</summary>
/// <param name="PacketsSeen">Packets the kernel queued to the delayer.</param>
/// <param name="VerdictsSent">Packets let go (each one exactly once; at dispose every held packet is let go at once).</param>
/// <param name="QueueDepth">Packets held right now.</param>
/// <param name="MeanLateness">How late, on average, a verdict left compared with its packet's due time.</param>
/// <param name="MaxLateness">The latest verdict compared with its due time.</param>
/// <param name="ReceiveOverruns">Times the socket's receive buffer overflowed; those packets went on undelayed.</param>
/// <param name="VerdictErrors">Verdicts the kernel refused (the packet was gone already).</param>
public sealed record NfQueueDelayerStatistics(
    long PacketsSeen,
    long VerdictsSent,
    int QueueDepth,
    TimeSpan MeanLateness,
    TimeSpan MaxLateness,
    long ReceiveOverruns,
    long VerdictErrors);
