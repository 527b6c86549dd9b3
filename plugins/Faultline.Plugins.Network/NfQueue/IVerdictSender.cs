namespace Faultline.Plugins.Network.NfQueue;

/// <summary>Where the verdict scheduler hands the packets whose delay is over: the queue's netlink socket.</summary>
internal interface IVerdictSender
{
    /// <summary>Lets the packets go on (NF_ACCEPT), all in as few system calls as possible.</summary>
    void Accept(ReadOnlySpan<uint> packetIds);
}
