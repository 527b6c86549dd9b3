namespace Faultline.Plugins.Network.NfQueue;

/// <summary>One netlink message of a datagram: the <c>nlmsghdr</c> fields and the payload that follows it.</summary>
internal readonly ref struct NetlinkMessage(ushort type, ushort flags, uint sequence, uint portId, ReadOnlySpan<byte> payload)
{
    public ushort Type { get; } = type;

    public ushort Flags { get; } = flags;

    public uint Sequence { get; } = sequence;

    public uint PortId { get; } = portId;

    public ReadOnlySpan<byte> Payload { get; } = payload;
}
