using System.Buffers.Binary;

namespace Faultline.Plugins.Network.NfQueue;

/// <summary>
/// Writes netlink messages, one after another, into a caller's buffer: several messages in one buffer go to the
/// kernel in a single send, which is how verdicts due together are batched.
/// </summary>
internal ref struct NetlinkMessageBuilder(Span<byte> buffer)
{
    private readonly Span<byte> _buffer = buffer;
    private int _messageStart = -1;

    /// <summary>Bytes written so far, every finished message included.</summary>
    public int Length { get; private set; }

    /// <summary>Room for a message of <paramref name="bytes"/> more bytes.</summary>
    public readonly bool HasRoomFor(int bytes) => Length + bytes <= _buffer.Length;

    public void BeginMessage(ushort type, ushort flags, uint sequence)
    {
        if (_messageStart >= 0)
        {
            throw new InvalidOperationException("The previous netlink message was not ended.");
        }

        _messageStart = Length;
        var header = Reserve(NfQueueProtocol.NetlinkHeaderLength);
        BinaryPrimitives.WriteUInt16LittleEndian(header[4..], type);
        BinaryPrimitives.WriteUInt16LittleEndian(header[6..], flags);
        BinaryPrimitives.WriteUInt32LittleEndian(header[8..], sequence);

        // Port id 0: the message is addressed to the kernel.
        BinaryPrimitives.WriteUInt32LittleEndian(header[12..], 0);
    }

    /// <summary>The <c>nfgenmsg</c> every nfnetlink message starts with; the resource id is the queue number.</summary>
    public void AppendNfGenMessage(byte family, ushort resourceId)
    {
        var header = Reserve(NfQueueProtocol.NfGenMessageLength);
        header[0] = family;
        header[1] = NfQueueProtocol.NfNetlinkVersion0;
        BinaryPrimitives.WriteUInt16BigEndian(header[2..], resourceId);
    }

    public void AppendAttribute(ushort type, scoped ReadOnlySpan<byte> value)
    {
        var length = NfQueueProtocol.AttributeHeaderLength + value.Length;
        var attribute = Reserve(NfQueueProtocol.Align(length));
        BinaryPrimitives.WriteUInt16LittleEndian(attribute, (ushort)length);
        BinaryPrimitives.WriteUInt16LittleEndian(attribute[2..], type);
        value.CopyTo(attribute[NfQueueProtocol.AttributeHeaderLength..]);
    }

    public void AppendBigEndianAttribute(ushort type, uint value)
    {
        Span<byte> bytes = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(bytes, value);
        AppendAttribute(type, bytes);
    }

    public void EndMessage()
    {
        if (_messageStart < 0)
        {
            throw new InvalidOperationException("No netlink message was begun.");
        }

        BinaryPrimitives.WriteUInt32LittleEndian(_buffer[_messageStart..], (uint)(Length - _messageStart));
        _messageStart = -1;
    }

    private Span<byte> Reserve(int length)
    {
        if (!HasRoomFor(length))
        {
            throw new InvalidOperationException($"Netlink buffer of {_buffer.Length} bytes is full.");
        }

        var reserved = _buffer.Slice(Length, length);

        // Padding and reserved fields must be zero: the kernel checks some of them.
        reserved.Clear();
        Length += length;
        return reserved;
    }
}
