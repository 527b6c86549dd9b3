using System.Buffers.Binary;

namespace Faultline.Plugins.Network.NfQueue;

/// <summary>
/// Walks the netlink messages of one received datagram: the kernel may pack several (an ack behind a packet,
/// a batch of verdict errors) and each starts on a 4-byte boundary.
/// </summary>
internal ref struct NetlinkMessageReader(ReadOnlySpan<byte> datagram)
{
    private ReadOnlySpan<byte> _remaining = datagram;

    /// <summary>Reads the next message; false at the end. A length that does not fit is corruption, not a short read.</summary>
    public bool TryRead(out NetlinkMessage message)
    {
        message = default;
        if (_remaining.Length < NfQueueProtocol.NetlinkHeaderLength)
        {
            _remaining = default;
            return false;
        }

        var length = BinaryPrimitives.ReadUInt32LittleEndian(_remaining);
        if (length < NfQueueProtocol.NetlinkHeaderLength || length > _remaining.Length)
        {
            throw new InvalidDataException($"Netlink message claims {length} bytes with {_remaining.Length} left in the datagram.");
        }

        message = new NetlinkMessage(
            BinaryPrimitives.ReadUInt16LittleEndian(_remaining[4..]),
            BinaryPrimitives.ReadUInt16LittleEndian(_remaining[6..]),
            BinaryPrimitives.ReadUInt32LittleEndian(_remaining[8..]),
            BinaryPrimitives.ReadUInt32LittleEndian(_remaining[12..]),
            _remaining[NfQueueProtocol.NetlinkHeaderLength..(int)length]);
        var next = Math.Min(NfQueueProtocol.Align((int)length), _remaining.Length);
        _remaining = _remaining[next..];
        return true;
    }
}
