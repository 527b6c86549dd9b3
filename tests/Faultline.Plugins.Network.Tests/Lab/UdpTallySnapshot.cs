namespace Faultline.Plugins.Network.Tests.Lab;

/// <summary>A consistent reading of a <see cref="UdpTally"/>; <paramref name="LastArrival"/> is a Stopwatch timestamp (0: nothing yet).</summary>
public sealed record UdpTallySnapshot(int Distinct, int Datagrams, int Duplicates, int Reordered, long LastArrival)
{
    public static UdpTallySnapshot Empty { get; } = new(0, 0, 0, 0, 0);
}
