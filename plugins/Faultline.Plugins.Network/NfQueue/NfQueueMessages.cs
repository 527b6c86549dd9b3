using System.Buffers.Binary;

namespace Faultline.Plugins.Network.NfQueue;

/// <summary>The nfnetlink_queue messages the delayer sends (configuration, verdicts) and reads (packets, acks).</summary>
internal static class NfQueueMessages
{
    /// <summary>nlmsghdr + nfgenmsg + one nlattr holding <c>nfqnl_msg_verdict_hdr</c>.</summary>
    public const int VerdictMessageLength = NfQueueProtocol.NetlinkHeaderLength + NfQueueProtocol.NfGenMessageLength + NfQueueProtocol.AttributeHeaderLength + 8;

    private const ushort RequestWithAck = NfQueueProtocol.NetlinkFlagRequest | NfQueueProtocol.NetlinkFlagAcknowledge;

    /// <summary>A queue-less command (PF_BIND, PF_UNBIND) for a protocol family, which kernels before 3.8 required.</summary>
    public static void WriteFamilyCommand(ref NetlinkMessageBuilder builder, uint sequence, byte command, ushort protocolFamily)
    {
        builder.BeginMessage(NfQueueProtocol.QueueMessageType(NfQueueProtocol.MessageConfig), RequestWithAck, sequence);
        builder.AppendNfGenMessage(0, 0);
        AppendCommand(ref builder, command, protocolFamily);
        builder.EndMessage();
    }

    /// <summary>
    /// Binds the queue, and in the same message sets metadata-only copies, the queue length and fail-open: the
    /// kernel creates a queue in a mode that drops every packet, so the settings must follow the bind at once.
    /// </summary>
    public static void WriteBind(ref NetlinkMessageBuilder builder, uint sequence, ushort queueNumber, uint queueMaxLength)
    {
        builder.BeginMessage(NfQueueProtocol.QueueMessageType(NfQueueProtocol.MessageConfig), RequestWithAck, sequence);
        builder.AppendNfGenMessage(0, queueNumber);
        AppendCommand(ref builder, NfQueueProtocol.CommandBind, 0);

        // struct nfqnl_msg_config_params { __be32 copy_range; u8 copy_mode; } (packed, 5 bytes).
        Span<byte> parameters = stackalloc byte[5];
        BinaryPrimitives.WriteUInt32BigEndian(parameters, 0);
        parameters[4] = NfQueueProtocol.CopyMeta;
        builder.AppendAttribute(NfQueueProtocol.ConfigAttributeParameters, parameters);
        builder.AppendBigEndianAttribute(NfQueueProtocol.ConfigAttributeQueueMaxLength, queueMaxLength);
        builder.AppendBigEndianAttribute(NfQueueProtocol.ConfigAttributeFlags, NfQueueProtocol.ConfigFlagFailOpen);
        builder.AppendBigEndianAttribute(NfQueueProtocol.ConfigAttributeMask, NfQueueProtocol.ConfigFlagFailOpen);
        builder.EndMessage();
    }

    public static void WriteUnbind(ref NetlinkMessageBuilder builder, uint sequence, ushort queueNumber)
    {
        builder.BeginMessage(NfQueueProtocol.QueueMessageType(NfQueueProtocol.MessageConfig), RequestWithAck, sequence);
        builder.AppendNfGenMessage(0, queueNumber);
        AppendCommand(ref builder, NfQueueProtocol.CommandUnbind, 0);
        builder.EndMessage();
    }

    public static void WriteQueueMaxLength(ref NetlinkMessageBuilder builder, uint sequence, ushort queueNumber, uint queueMaxLength)
    {
        builder.BeginMessage(NfQueueProtocol.QueueMessageType(NfQueueProtocol.MessageConfig), RequestWithAck, sequence);
        builder.AppendNfGenMessage(0, queueNumber);
        builder.AppendBigEndianAttribute(NfQueueProtocol.ConfigAttributeQueueMaxLength, queueMaxLength);
        builder.EndMessage();
    }

    /// <summary>
    /// NF_ACCEPT for one packet. No ack is asked: the kernel answers a verdict only when it fails (an unknown id),
    /// which keeps a verdict to one system call.
    /// </summary>
    public static void WriteAccept(ref NetlinkMessageBuilder builder, ushort queueNumber, uint packetId)
    {
        builder.BeginMessage(NfQueueProtocol.QueueMessageType(NfQueueProtocol.MessageVerdict), NfQueueProtocol.NetlinkFlagRequest, 0);
        builder.AppendNfGenMessage(0, queueNumber);

        // struct nfqnl_msg_verdict_hdr { __be32 verdict; __be32 id; }
        Span<byte> verdict = stackalloc byte[8];
        BinaryPrimitives.WriteUInt32BigEndian(verdict, NfQueueProtocol.VerdictAccept);
        BinaryPrimitives.WriteUInt32BigEndian(verdict[4..], packetId);
        builder.AppendAttribute(NfQueueProtocol.AttributeVerdictHeader, verdict);
        builder.EndMessage();
    }

    /// <summary>The packet id of an NFQNL_MSG_PACKET for <paramref name="queueNumber"/>.</summary>
    public static bool TryReadPacketId(in NetlinkMessage message, ushort queueNumber, out uint packetId)
    {
        packetId = 0;
        if (message.Type != NfQueueProtocol.QueueMessageType(NfQueueProtocol.MessagePacket) || message.Payload.Length < NfQueueProtocol.NfGenMessageLength)
        {
            return false;
        }

        if (BinaryPrimitives.ReadUInt16BigEndian(message.Payload[2..]) != queueNumber)
        {
            return false;
        }

        if (!NetlinkAttributeReader.TryFind(message.Payload[NfQueueProtocol.NfGenMessageLength..], NfQueueProtocol.AttributePacketHeader, out var header)
            || header.Length < NfQueueProtocol.PacketHeaderLength)
        {
            throw new InvalidDataException("NFQUEUE packet message without a packet header.");
        }

        packetId = BinaryPrimitives.ReadUInt32BigEndian(header);
        return true;
    }

    /// <summary>
    /// The outcome of an NLMSG_ERROR (<c>struct nlmsgerr { int error; struct nlmsghdr msg; }</c>): 0 for an ack,
    /// else the positive errno.
    /// </summary>
    public static bool TryReadAcknowledgement(in NetlinkMessage message, out int errno)
    {
        errno = 0;
        if (message.Type != NfQueueProtocol.NetlinkMessageError)
        {
            return false;
        }

        if (message.Payload.Length < 4)
        {
            throw new InvalidDataException("Netlink error message without an error code.");
        }

        errno = -BinaryPrimitives.ReadInt32LittleEndian(message.Payload);
        return true;
    }

    private static void AppendCommand(ref NetlinkMessageBuilder builder, byte command, ushort protocolFamily)
    {
        // struct nfqnl_msg_config_cmd { u8 command; u8 _pad; __be16 pf; }
        Span<byte> value = stackalloc byte[4];
        value[0] = command;
        value[1] = 0;
        BinaryPrimitives.WriteUInt16BigEndian(value[2..], protocolFamily);
        builder.AppendAttribute(NfQueueProtocol.ConfigAttributeCommand, value);
    }
}
