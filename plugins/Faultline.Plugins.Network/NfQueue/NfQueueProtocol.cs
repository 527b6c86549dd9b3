namespace Faultline.Plugins.Network.NfQueue;

/// <summary>
/// The kernel ABI the delayer speaks, from linux/netlink.h, linux/netfilter/nfnetlink.h and
/// linux/netfilter/nfnetlink_queue.h. Netlink headers are in host byte order; nfnetlink payloads (queue
/// number, packet id, verdict, flags) are big-endian, as the kernel reads them with ntohl/ntohs.
/// </summary>
internal static class NfQueueProtocol
{
    public const int AddressFamilyNetlink = 16;
    public const int AddressFamilyInet = 2;
    public const int SocketTypeRaw = 3;
    public const int SocketFlagCloseOnExec = 0x80000;
    public const int NetlinkNetfilter = 12;

    public const int SolSocket = 1;
    public const int SoReceiveBufferForce = 33;

    // struct nlmsghdr { u32 len; u16 type; u16 flags; u32 seq; u32 pid; }
    public const int NetlinkHeaderLength = 16;
    public const int NetlinkAlignment = 4;
    public const ushort NetlinkFlagRequest = 0x1;
    public const ushort NetlinkFlagAcknowledge = 0x4;
    public const ushort NetlinkMessageNoop = 1;
    public const ushort NetlinkMessageError = 2;
    public const ushort NetlinkMessageDone = 3;
    public const ushort NetlinkMessageOverrun = 4;

    // struct nlattr { u16 len; u16 type; }; the top two type bits are the nested and byte-order flags.
    public const int AttributeHeaderLength = 4;
    public const ushort AttributeTypeMask = 0x3fff;

    // struct nfgenmsg { u8 family; u8 version; __be16 res_id; }
    public const int NfGenMessageLength = 4;
    public const byte NfNetlinkVersion0 = 0;
    public const byte NfSubsystemQueue = 3;

    public const byte MessagePacket = 0;
    public const byte MessageVerdict = 1;
    public const byte MessageConfig = 2;

    // enum nfqnl_attr_type
    public const ushort AttributePacketHeader = 1;
    public const ushort AttributeVerdictHeader = 2;

    // enum nfqnl_attr_config
    public const ushort ConfigAttributeCommand = 1;
    public const ushort ConfigAttributeParameters = 2;
    public const ushort ConfigAttributeQueueMaxLength = 3;
    public const ushort ConfigAttributeMask = 4;
    public const ushort ConfigAttributeFlags = 5;

    // enum nfqnl_msg_config_cmds
    public const byte CommandBind = 1;
    public const byte CommandUnbind = 2;
    public const byte CommandProtocolFamilyBind = 3;
    public const byte CommandProtocolFamilyUnbind = 4;

    // enum nfqnl_config_mode: META sends the packet id and metadata without payload. NONE is not "less":
    // the kernel refuses to queue into a NONE queue (nfqnl_enqueue_packet returns -EINVAL) and drops the packet.
    public const byte CopyMeta = 1;

    public const uint ConfigFlagFailOpen = 0x1;

    public const uint VerdictAccept = 1;

    /// <summary>struct nfqnl_msg_packet_hdr { __be32 packet_id; __be16 hw_protocol; u8 hook; } (packed).</summary>
    public const int PacketHeaderLength = 7;

    public static ushort QueueMessageType(byte message) => (ushort)((NfSubsystemQueue << 8) | message);

    public static int Align(int length) => (length + NetlinkAlignment - 1) & ~(NetlinkAlignment - 1);
}
