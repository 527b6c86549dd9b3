using System.Buffers.Binary;

namespace Faultline.Plugins.Network.NfQueue;

/// <summary>Walks the <c>nlattr</c> type-length-value list that follows an nfnetlink message's <c>nfgenmsg</c>.</summary>
internal ref struct NetlinkAttributeReader(ReadOnlySpan<byte> attributes)
{
    private ReadOnlySpan<byte> _remaining = attributes;

    public bool TryRead(out ushort type, out ReadOnlySpan<byte> value)
    {
        type = 0;
        value = default;
        if (_remaining.Length < NfQueueProtocol.AttributeHeaderLength)
        {
            return false;
        }

        var length = BinaryPrimitives.ReadUInt16LittleEndian(_remaining);
        if (length < NfQueueProtocol.AttributeHeaderLength || length > _remaining.Length)
        {
            throw new InvalidDataException($"Netlink attribute claims {length} bytes with {_remaining.Length} left in the message.");
        }

        type = (ushort)(BinaryPrimitives.ReadUInt16LittleEndian(_remaining[2..]) & NfQueueProtocol.AttributeTypeMask);
        value = _remaining[NfQueueProtocol.AttributeHeaderLength..length];
        _remaining = _remaining[Math.Min(NfQueueProtocol.Align(length), _remaining.Length)..];
        return true;
    }

    /// <summary>The value of the first attribute of <paramref name="wanted"/> type, if there is one.</summary>
    public static bool TryFind(ReadOnlySpan<byte> attributes, ushort wanted, out ReadOnlySpan<byte> value)
    {
        var reader = new NetlinkAttributeReader(attributes);
        while (reader.TryRead(out var type, out value))
        {
            if (type == wanted)
            {
                return true;
            }
        }

        value = default;
        return false;
    }
}
