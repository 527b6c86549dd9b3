using System.Globalization;

namespace Faultline.Plugins.Network.Tests.Lab;

/// <summary>
/// A UDP probe run: datagrams sent from A (including those the local stack refused to send, which a firewall drop
/// on A's output causes), and what B counted: distinct sequence numbers, duplicates and reordered arrivals.
/// </summary>
public sealed record UdpProbeResult(int Sent, int SendErrors, int Received, int Datagrams, int Duplicates, int Reordered)
{
    public int Lost => Sent - Received;

    public double LossRatio => Sent == 0 ? 0 : (double)Lost / Sent;

    /// <summary>Duplicate datagrams per datagram sent (1.0: every one arrived twice).</summary>
    public double DuplicateRatio => Sent == 0 ? 0 : (double)Duplicates / Sent;

    public override string ToString() =>
        string.Create(
            CultureInfo.InvariantCulture,
            $"udp: {Sent} sent ({SendErrors} refused locally), {Received} distinct received, loss {LossRatio:P1}, {Duplicates} duplicates, {Reordered} reordered");
}
