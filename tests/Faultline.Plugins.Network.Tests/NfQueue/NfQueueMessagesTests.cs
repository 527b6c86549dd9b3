using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using Faultline.Plugins.Network.NfQueue;

namespace Faultline.Plugins.Network.Tests.NfQueue;

/// <summary>
/// The bytes on the wire, checked against the layouts in linux/netlink.h and linux/netfilter/nfnetlink_queue.h:
/// host-order netlink headers, big-endian nfnetlink payloads, 4-byte aligned attributes.
/// </summary>
public sealed class NfQueueMessagesTests
{
    [Fact]
    public void An_accept_verdict_is_header_nfgenmsg_and_a_big_endian_verdict_header()
    {
        var buffer = new byte[64];
        var builder = new NetlinkMessageBuilder(buffer);

        NfQueueMessages.WriteAccept(ref builder, queueNumber: 0x1234, packetId: 0xA1B2C3D4);

        Assert.Equal(32, builder.Length);
        Assert.Equal(NfQueueMessages.VerdictMessageLength, builder.Length);
        Assert.Equal(
            [
                32, 0, 0, 0, /* nlmsg_len */ 0x01, 0x03, /* type: subsystem 3, NFQNL_MSG_VERDICT */ 0x01, 0x00, /* NLM_F_REQUEST */
                0, 0, 0, 0, /* seq */ 0, 0, 0, 0, /* pid: the kernel */
                0, 0, 0x12, 0x34, /* nfgenmsg: AF_UNSPEC, version 0, res_id big-endian */
                12, 0, 2, 0, /* nlattr: len 12, NFQA_VERDICT_HDR */
                0, 0, 0, 1, /* NF_ACCEPT */ 0xA1, 0xB2, 0xC3, 0xD4, /* packet id */
            ],
            buffer.AsSpan(0, 32).ToArray());
    }

    [Fact]
    public void The_bind_asks_for_an_ack_and_carries_command_copy_mode_length_and_fail_open()
    {
        var buffer = new byte[128];
        var builder = new NetlinkMessageBuilder(buffer);

        NfQueueMessages.WriteBind(ref builder, sequence: 7, queueNumber: 40000, queueMaxLength: 16384);

        var message = ReadSingle(buffer.AsSpan(0, builder.Length), out var type, out var flags, out var sequence);
        Assert.Equal(0x0302, type);
        Assert.Equal(0x5, flags); // NLM_F_REQUEST | NLM_F_ACK
        Assert.Equal(7u, sequence);
        Assert.Equal(40000, BinaryPrimitives.ReadUInt16BigEndian(message.AsSpan(2)));
        var attributes = Attributes(message.AsSpan(4));
        Assert.Equal([1, 2, 3, 5, 4], attributes.Select(attribute => (int)attribute.Type));
        Assert.Equal([1, 0, 0, 0], attributes[0].Value); // NFQNL_CFG_CMD_BIND, pad, pf 0
        Assert.Equal([0, 0, 0, 0, 1], attributes[1].Value); // copy_range 0, NFQNL_COPY_META
        Assert.Equal(16384u, BinaryPrimitives.ReadUInt32BigEndian(attributes[2].Value));
        Assert.Equal(1u, BinaryPrimitives.ReadUInt32BigEndian(attributes[3].Value)); // NFQA_CFG_F_FAIL_OPEN
        Assert.Equal(1u, BinaryPrimitives.ReadUInt32BigEndian(attributes[4].Value)); // its mask
        Assert.Equal(0, builder.Length % 4);
    }

    [Fact]
    public void The_family_commands_carry_the_family_in_network_order()
    {
        var buffer = new byte[64];
        var builder = new NetlinkMessageBuilder(buffer);

        NfQueueMessages.WriteFamilyCommand(ref builder, 3, NfQueueProtocol.CommandProtocolFamilyBind, NfQueueProtocol.AddressFamilyInet);

        var message = ReadSingle(buffer.AsSpan(0, builder.Length), out _, out _, out _);
        var command = Assert.Single(Attributes(message.AsSpan(4)));
        Assert.Equal([3, 0, 0, 2], command.Value);
    }

    [Fact]
    public void Verdicts_batch_back_to_back_in_one_buffer()
    {
        var buffer = new byte[NfQueueMessages.VerdictMessageLength * 3];
        var builder = new NetlinkMessageBuilder(buffer);

        foreach (var packetId in new uint[] { 5, 9, 7 })
        {
            NfQueueMessages.WriteAccept(ref builder, 100, packetId);
        }

        Assert.False(builder.HasRoomFor(1));
        var reader = new NetlinkMessageReader(buffer);
        var ids = new List<uint>();
        while (reader.TryRead(out var message))
        {
            Assert.True(NetlinkAttributeReader.TryFind(message.Payload[4..], NfQueueProtocol.AttributeVerdictHeader, out var verdict));
            ids.Add(BinaryPrimitives.ReadUInt32BigEndian(verdict[4..]));
        }

        Assert.Equal([5u, 9u, 7u], ids);
    }

    [Fact]
    public void A_datagram_with_a_packet_and_an_error_reads_as_both()
    {
        var datagram = new List<byte>();
        datagram.AddRange(PacketMessage(queueNumber: 40000, packetId: 0x01020304));
        datagram.AddRange(ErrorMessage(sequence: 9, error: -1));
        var reader = new NetlinkMessageReader(datagram.ToArray());

        Assert.True(reader.TryRead(out var packet));
        Assert.True(NfQueueMessages.TryReadPacketId(packet, 40000, out var packetId));
        Assert.Equal(0x01020304u, packetId);
        Assert.False(NfQueueMessages.TryReadAcknowledgement(packet, out _));
        Assert.True(reader.TryRead(out var error));
        Assert.False(NfQueueMessages.TryReadPacketId(error, 40000, out _));
        Assert.True(NfQueueMessages.TryReadAcknowledgement(error, out var errno));
        Assert.Equal(1, errno);
        Assert.Equal(9u, error.Sequence);
        Assert.False(reader.TryRead(out _));
    }

    [Fact]
    public void A_packet_for_another_queue_is_not_taken()
    {
        var message = PacketMessage(queueNumber: 40001, packetId: 5);
        var reader = new NetlinkMessageReader(message);
        Assert.True(reader.TryRead(out var packet));

        Assert.False(NfQueueMessages.TryReadPacketId(packet, 40000, out _));
    }

    [Fact]
    public void A_message_longer_than_its_datagram_is_refused()
    {
        var datagram = PacketMessage(queueNumber: 1, packetId: 5);
        BinaryPrimitives.WriteUInt32LittleEndian(datagram, (uint)datagram.Length + 4);

        Assert.Throws<InvalidDataException>(() =>
        {
            var reader = new NetlinkMessageReader(datagram);
            reader.TryRead(out _);
        });
    }

    [Fact]
    public void The_end_point_serializes_as_sockaddr_nl()
    {
        var endPoint = new NetlinkEndPoint(portId: 0x01020304, groups: 5);

        var address = endPoint.Serialize();

        Assert.Equal(NetlinkEndPoint.Length, address.Size);
        Assert.Equal([16, 0, 0, 0, 4, 3, 2, 1, 5, 0, 0, 0], address.Buffer.Span[..12].ToArray());
        var parsed = Assert.IsType<NetlinkEndPoint>(endPoint.Create(address));
        Assert.Equal(0x01020304u, parsed.PortId);
        Assert.Equal(5u, parsed.Groups);
        Assert.Throws<ArgumentException>(() => endPoint.Create(new SocketAddress(AddressFamily.InterNetwork, 16)));
    }

    private static byte[] ReadSingle(ReadOnlySpan<byte> datagram, out ushort type, out ushort flags, out uint sequence)
    {
        var reader = new NetlinkMessageReader(datagram);
        Assert.True(reader.TryRead(out var message));
        (type, flags, sequence) = (message.Type, message.Flags, message.Sequence);
        var payload = message.Payload.ToArray();
        Assert.False(reader.TryRead(out _));
        return payload;
    }

    private static List<(ushort Type, byte[] Value)> Attributes(ReadOnlySpan<byte> payload)
    {
        var attributes = new List<(ushort, byte[])>();
        var reader = new NetlinkAttributeReader(payload);
        while (reader.TryRead(out var type, out var value))
        {
            attributes.Add((type, value.ToArray()));
        }

        return attributes;
    }

    /// <summary>An NFQNL_MSG_PACKET as the kernel builds it: packet header, then an ifindex attribute.</summary>
    private static byte[] PacketMessage(ushort queueNumber, uint packetId)
    {
        var message = new byte[16 + 4 + 12 + 8];
        BinaryPrimitives.WriteUInt32LittleEndian(message, (uint)message.Length);
        BinaryPrimitives.WriteUInt16LittleEndian(message.AsSpan(4), 0x0300);
        message[16] = 2; // AF_INET
        BinaryPrimitives.WriteUInt16BigEndian(message.AsSpan(18), queueNumber);
        BinaryPrimitives.WriteUInt16LittleEndian(message.AsSpan(20), 11); // 4 + 7-byte nfqnl_msg_packet_hdr, padded to 12
        BinaryPrimitives.WriteUInt16LittleEndian(message.AsSpan(22), 1);
        BinaryPrimitives.WriteUInt32BigEndian(message.AsSpan(24), packetId);
        BinaryPrimitives.WriteUInt16BigEndian(message.AsSpan(28), 0x0800);
        message[30] = 3; // NF_INET_LOCAL_OUT
        BinaryPrimitives.WriteUInt16LittleEndian(message.AsSpan(32), 8);
        BinaryPrimitives.WriteUInt16LittleEndian(message.AsSpan(34), 6 | 0x4000); // NFQA_IFINDEX_OUTDEV, byte-order flag set
        BinaryPrimitives.WriteUInt32BigEndian(message.AsSpan(36), 3);
        return message;
    }

    /// <summary>An NLMSG_ERROR: error code, then the header of the request it answers.</summary>
    private static byte[] ErrorMessage(uint sequence, int error)
    {
        var message = new byte[16 + 4 + 16];
        BinaryPrimitives.WriteUInt32LittleEndian(message, (uint)message.Length);
        BinaryPrimitives.WriteUInt16LittleEndian(message.AsSpan(4), 2);
        BinaryPrimitives.WriteUInt32LittleEndian(message.AsSpan(8), sequence);
        BinaryPrimitives.WriteInt32LittleEndian(message.AsSpan(16), error);
        BinaryPrimitives.WriteUInt32LittleEndian(message.AsSpan(20), 16);
        BinaryPrimitives.WriteUInt32LittleEndian(message.AsSpan(28), sequence);
        return message;
    }
}
