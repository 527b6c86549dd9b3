using System.Buffers.Binary;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Faultline.Plugins.Network.Namespaces;

namespace Faultline.Plugins.Network.Tests.Lab;

/// <summary>
/// Sends numbered UDP datagrams from a socket created in <paramref name="from"/> to the lab server's counter in B,
/// then reads B's tally in-process: loss, duplication and reordering without any reply traffic.
/// </summary>
public sealed class UdpProbe(NetworkNamespace from, IPAddress server, LabServer tallies)
{
    private const int DatagramSize = 64;

    /// <summary>Longest wait for the stream to go quiet, in case a fault keeps datagrams coming (a duplication loop).</summary>
    private static readonly TimeSpan QuietCap = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Sends <paramref name="count"/> datagrams <paramref name="interval"/> apart, then waits until nothing has
    /// arrived for <paramref name="settle"/>: datagrams a qdisc still holds, or late duplicates, count too.
    /// </summary>
    public async Task<UdpProbeResult> RunAsync(int count, TimeSpan interval, TimeSpan settle, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        var run = Guid.NewGuid();
        using var socket = await from.RunAsync(() => new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp));
        var target = new IPEndPoint(server, LabServer.UdpPort);
        var datagram = new byte[DatagramSize];
        run.TryWriteBytes(datagram.AsSpan(0, 16));
        var sendErrors = 0;
        using var pace = interval > TimeSpan.Zero ? new PeriodicTimer(interval) : null;
        try
        {
            for (var sequence = 0; sequence < count; sequence++)
            {
                BinaryPrimitives.WriteInt32BigEndian(datagram.AsSpan(16, 4), sequence);
                try
                {
                    await socket.SendToAsync(datagram, SocketFlags.None, target, cancellationToken);
                }
                catch (SocketException)
                {
                    // EPERM from a drop rule on A's own output, ENOBUFS from a full qdisc: the datagram is lost.
                    sendErrors++;
                }

                if (pace is not null && sequence < count - 1)
                {
                    await pace.WaitForNextTickAsync(cancellationToken);
                }
            }

            var lastSend = Stopwatch.GetTimestamp();
            var tally = await QuietAsync(run, lastSend, settle, cancellationToken);
            return new UdpProbeResult(count, sendErrors, tally.Distinct, tally.Datagrams, tally.Duplicates, tally.Reordered);
        }
        finally
        {
            tallies.ForgetUdp(run);
        }
    }

    private async Task<UdpTallySnapshot> QuietAsync(Guid run, long lastSend, TimeSpan settle, CancellationToken cancellationToken)
    {
        // UDP has no end of stream: the run is over when the counter has been still for the settle time.
        while (true)
        {
            var tally = tallies.UdpSnapshot(run);
            var lastActivity = Math.Max(lastSend, tally.LastArrival);
            if (Stopwatch.GetElapsedTime(lastActivity) >= settle || Stopwatch.GetElapsedTime(lastSend) >= QuietCap)
            {
                return tally;
            }

            await Task.Delay(TimeSpan.FromMilliseconds(10), cancellationToken);
        }
    }
}
