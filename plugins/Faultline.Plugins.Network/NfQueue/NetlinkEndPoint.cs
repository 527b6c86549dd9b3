using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;

namespace Faultline.Plugins.Network.NfQueue;

/// <summary>
/// A <c>struct sockaddr_nl</c> (family, pad, port id, multicast groups) for binding a netlink socket and reading
/// back the port id the kernel gave it. .NET's <see cref="SocketAddress"/> has no AF_NETLINK and refuses to
/// stamp it, so the address is allocated under a family it knows and then overwritten byte for byte.
/// </summary>
internal sealed class NetlinkEndPoint(uint portId = 0, uint groups = 0) : EndPoint
{
    public const int Length = 12;

    /// <summary>0 asks the kernel to pick a unique port id on bind; the socket's own id otherwise.</summary>
    public uint PortId { get; } = portId;

    public uint Groups { get; } = groups;

    // A socket built from a raw handle reports Unknown, and Bind insists the end point agrees.
    public override AddressFamily AddressFamily => AddressFamily.Unknown;

    public override SocketAddress Serialize()
    {
        var address = new SocketAddress(AddressFamily.InterNetwork, Length);
        var bytes = address.Buffer.Span;
        bytes.Clear();
        BinaryPrimitives.WriteUInt16LittleEndian(bytes, NfQueueProtocol.AddressFamilyNetlink);
        BinaryPrimitives.WriteUInt32LittleEndian(bytes[4..], PortId);
        BinaryPrimitives.WriteUInt32LittleEndian(bytes[8..], Groups);
        return address;
    }

    public override EndPoint Create(SocketAddress socketAddress)
    {
        ArgumentNullException.ThrowIfNull(socketAddress);
        var bytes = socketAddress.Buffer.Span;
        if (socketAddress.Size < Length || BinaryPrimitives.ReadUInt16LittleEndian(bytes) != NfQueueProtocol.AddressFamilyNetlink)
        {
            throw new ArgumentException($"Not a sockaddr_nl ({socketAddress.Size} bytes, family {BinaryPrimitives.ReadUInt16LittleEndian(bytes)}).", nameof(socketAddress));
        }

        return new NetlinkEndPoint(BinaryPrimitives.ReadUInt32LittleEndian(bytes[4..]), BinaryPrimitives.ReadUInt32LittleEndian(bytes[8..]));
    }

    public override string ToString() => $"netlink:{PortId}";
}
