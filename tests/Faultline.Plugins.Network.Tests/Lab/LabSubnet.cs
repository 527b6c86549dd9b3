using System.Net;
using System.Security.Cryptography;

namespace Faultline.Plugins.Network.Tests.Lab;

/// <summary>
/// A /29 out of 10.200.0.0/16 for one lab: A is the first host address, B the second, B2 the third (a second address
/// of B, so that a fault filtered to one of B's addresses can be told from traffic to the other). Each lab's namespaces are
/// private, so equal subnets in two labs would not even meet; still no two live labs of this process share one
/// (random across processes), which keeps logs and packet captures unambiguous and labs joinable later.
/// </summary>
public sealed record LabSubnet(IPAddress Network, IPAddress A, IPAddress B, IPAddress B2)
{
    public const int PrefixLength = 29;
    private const int Blocks = 1 << (32 - 16 - 3);
    private const int BlockSize = 1 << (32 - PrefixLength);
    private static readonly HashSet<int> InUse = [];
    private static readonly Lock Guard = new();

    private int Block { get; init; }

    /// <summary>A random /29 that no other live lab of this process holds; give it back with <see cref="Release"/>.</summary>
    public static LabSubnet Reserve()
    {
        lock (Guard)
        {
            if (InUse.Count >= Blocks)
            {
                throw new InvalidOperationException($"all {Blocks} lab subnets of 10.200.0.0/16 are in use; are labs being disposed?");
            }

            int block;
            do
            {
                block = RandomNumberGenerator.GetInt32(Blocks);
            }
            while (!InUse.Add(block));

            return Of(block);
        }
    }

    public void Release()
    {
        lock (Guard)
        {
            InUse.Remove(Block);
        }
    }

    public override string ToString() => $"{Network}/{PrefixLength}";

    private static LabSubnet Of(int block)
    {
        var offset = block * BlockSize;
        IPAddress Address(int host) => new([10, 200, (byte)((offset + host) >> 8), (byte)((offset + host) & 0xff)]);
        return new LabSubnet(Address(0), Address(1), Address(2), Address(3)) { Block = block };
    }
}
