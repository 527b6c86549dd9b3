using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using Faultline.Plugins.Network.Namespaces;

namespace Faultline.Plugins.Network.Tests.Lab;

/// <summary>
/// TCP measurements from a client namespace towards the <see cref="LabServer"/>: each client socket is created on a
/// thread inside <paramref name="from"/> (so its traffic leaves through that namespace's veth, qdiscs and firewall)
/// and then used from the thread pool. Timeouts, refusals and resets come back as <see cref="TcpOutcome"/>s.
/// </summary>
public sealed class TcpProbe(NetworkNamespace from, IPAddress server, LabServer tallies)
{
    private const int ChunkSize = 64 * 1024;

    /// <summary>
    /// For transfers bounded by time: the kernel's autotuned send buffer can hold megabytes, which a 1 mbit/s link
    /// needs half a minute to drain after the sending stops; a fixed buffer keeps that overshoot under a second.
    /// </summary>
    private const int BoundedSendBuffer = 64 * 1024;

    /// <summary>Opens <paramref name="count"/> connections one after another to the echo service, timing each handshake.</summary>
    public Task<TcpProbeResult> ConnectAsync(int count, TimeSpan timeout, CancellationToken cancellationToken) =>
        ConnectAsync(LabServer.EchoPort, count, timeout, cancellationToken);

    /// <summary>Opens <paramref name="count"/> connections one after another to <paramref name="port"/> (any of the lab server's), timing each handshake.</summary>
    public async Task<TcpProbeResult> ConnectAsync(int port, int count, TimeSpan timeout, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        var attempts = new List<TcpAttempt>(count);
        for (var i = 0; i < count; i++)
        {
            var (socket, attempt) = await ConnectOnceAsync(port, timeout, sendBuffer: null, cancellationToken);
            socket?.Dispose();
            attempts.Add(attempt);
        }

        return new TcpProbeResult(attempts);
    }

    /// <summary>
    /// Times <paramref name="count"/> one-byte request/response exchanges with the echo service over one connection;
    /// after a failed exchange (or connect) the next attempt starts on a fresh connection.
    /// </summary>
    public async Task<TcpProbeResult> RoundTripAsync(int count, TimeSpan timeout, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        var attempts = new List<TcpAttempt>(count);
        var request = new byte[1];
        var response = new byte[1];
        Socket? connection = null;
        try
        {
            for (var i = 0; i < count; i++)
            {
                if (connection is null)
                {
                    (connection, var connect) = await ConnectOnceAsync(LabServer.EchoPort, timeout, sendBuffer: null, cancellationToken);
                    if (connection is null)
                    {
                        attempts.Add(connect);
                        continue;
                    }
                }

                request[0] = (byte)i;
                var attempt = await ExchangeAsync(connection, request, response, timeout, cancellationToken);
                attempts.Add(attempt);
                if (!attempt.Succeeded)
                {
                    // The stream's state is unknown after a failure (a late echo could answer the next request).
                    connection.Dispose();
                    connection = null;
                }
            }
        }
        finally
        {
            connection?.Dispose();
        }

        return new TcpProbeResult(attempts);
    }

    /// <summary>Sends <paramref name="bytes"/> to the sink and reports the rate at which B received them.</summary>
    public async Task<ThroughputResult> ThroughputAsync(long bytes, TimeSpan timeout, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(bytes, 1);
        var chunk = RandomNumberGenerator.GetBytes(ChunkSize);
        var transfer = await TransferAsync(
            LabServer.SinkPort,
            (sent, _) => chunk.AsMemory(0, (int)Math.Min(chunk.Length, bytes - sent)),
            timeout,
            sendBuffer: null,
            cancellationToken);
        return new ThroughputResult(transfer.Outcome, transfer.Sent, transfer.Received, transfer.Elapsed, transfer.Error);
    }

    /// <summary>Sends to the sink for about <paramref name="duration"/> and reports the rate at which B received the data.</summary>
    public async Task<ThroughputResult> ThroughputForAsync(TimeSpan duration, TimeSpan timeout, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(duration, TimeSpan.Zero);
        var chunk = RandomNumberGenerator.GetBytes(ChunkSize);
        var transfer = await TransferAsync(
            LabServer.SinkPort,
            (_, elapsed) => elapsed < duration ? chunk : ReadOnlyMemory<byte>.Empty,
            timeout,
            BoundedSendBuffer,
            cancellationToken);
        return new ThroughputResult(transfer.Outcome, transfer.Sent, transfer.Received, transfer.Elapsed, transfer.Error);
    }

    /// <summary>Sends <paramref name="size"/> random bytes to the checksum service and compares its SHA-256 with the sent one.</summary>
    public async Task<ChecksumResult> ChecksumTransferAsync(int size, TimeSpan timeout, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(size, 1);
        var payload = RandomNumberGenerator.GetBytes(size);
        var sentSha256 = Convert.ToHexStringLower(SHA256.HashData(payload));
        var transfer = await TransferAsync(
            LabServer.ChecksumPort,
            (sent, _) => payload.AsMemory((int)sent, Math.Min(ChunkSize, size - (int)sent)),
            timeout,
            sendBuffer: null,
            cancellationToken);
        return new ChecksumResult(transfer.Outcome, transfer.Sent, transfer.Received, sentSha256, transfer.Sha256, transfer.Error);
    }

    private async Task<(Socket? Socket, TcpAttempt Attempt)> ConnectOnceAsync(int port, TimeSpan timeout, int? sendBuffer, CancellationToken cancellationToken)
    {
        var socket = await from.RunAsync(() => new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp));
        socket.NoDelay = true;
        if (sendBuffer is { } size)
        {
            socket.SendBufferSize = size;
        }

        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        var clock = Stopwatch.StartNew();
        try
        {
            await socket.ConnectAsync(new IPEndPoint(server, port), deadline.Token);
            return (socket, new TcpAttempt(TcpOutcome.Succeeded, clock.Elapsed));
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            socket.Dispose();
            return (null, new TcpAttempt(TcpOutcome.TimedOut, clock.Elapsed, $"no connection to {server}:{port} within {timeout.TotalMilliseconds} ms"));
        }
        catch (SocketException exception)
        {
            socket.Dispose();
            return (null, TcpAttempt.From(exception, clock.Elapsed));
        }
    }

    private static async Task<TcpAttempt> ExchangeAsync(Socket connection, byte[] request, byte[] response, TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        var clock = Stopwatch.StartNew();
        try
        {
            await connection.SendAsync(request, SocketFlags.None, deadline.Token);
            var read = await connection.ReceiveAsync(response, SocketFlags.None, deadline.Token);
            if (read == 0)
            {
                return new TcpAttempt(TcpOutcome.Reset, clock.Elapsed, "the echo server closed the connection");
            }

            return response[0] == request[0]
                ? new TcpAttempt(TcpOutcome.Succeeded, clock.Elapsed)
                : new TcpAttempt(TcpOutcome.Failed, clock.Elapsed, $"echo returned {response[0]} for {request[0]}");
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return new TcpAttempt(TcpOutcome.TimedOut, clock.Elapsed, $"no echo within {timeout.TotalMilliseconds} ms");
        }
        catch (SocketException exception)
        {
            return TcpAttempt.From(exception, clock.Elapsed);
        }
    }

    /// <summary>
    /// Connects, sends what <paramref name="next"/> hands out (given bytes sent and time elapsed; empty means done),
    /// closes the sending side and waits for the server to see the end. Timing starts at the first send and ends when
    /// the server saw the end of data, read in-process from its tally so that nothing depends on the way back.
    /// </summary>
    private async Task<Transfer> TransferAsync(
        int port, Func<long, TimeSpan, ReadOnlyMemory<byte>> next, TimeSpan timeout, int? sendBuffer, CancellationToken cancellationToken)
    {
        var (socket, connect) = await ConnectOnceAsync(port, timeout, sendBuffer, cancellationToken);
        if (socket is null)
        {
            return new Transfer(connect.Outcome, 0, 0, connect.Elapsed, null, connect.Error);
        }

        var client = (IPEndPoint)socket.LocalEndPoint!;
        var tallyTask = tallies.TallyAsync(port, client);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        var start = Stopwatch.GetTimestamp();
        long sent = 0;
        try
        {
            while (true)
            {
                var chunk = next(sent, Stopwatch.GetElapsedTime(start));
                if (chunk.IsEmpty)
                {
                    break;
                }

                while (!chunk.IsEmpty)
                {
                    var written = await socket.SendAsync(chunk, SocketFlags.None, deadline.Token);
                    sent += written;
                    chunk = chunk[written..];
                }
            }

            socket.Shutdown(SocketShutdown.Send);
            var tally = await tallyTask.WaitAsync(deadline.Token);
            var end = await tally.End.WaitAsync(deadline.Token);
            var elapsed = Stopwatch.GetElapsedTime(start, end.Timestamp);
            return end.Clean
                ? new Transfer(TcpOutcome.Succeeded, sent, end.Bytes, elapsed, end.Sha256, null)
                : new Transfer(TcpOutcome.Reset, sent, end.Bytes, elapsed, null, end.Error);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return new Transfer(TcpOutcome.TimedOut, sent, ReceivedSoFar(tallyTask), Stopwatch.GetElapsedTime(start), null, $"not finished within {timeout.TotalSeconds} s");
        }
        catch (SocketException exception)
        {
            var attempt = TcpAttempt.From(exception, Stopwatch.GetElapsedTime(start));
            return new Transfer(attempt.Outcome, sent, ReceivedSoFar(tallyTask), attempt.Elapsed, null, attempt.Error);
        }
        finally
        {
            socket.Dispose();
            tallies.Forget(port, client);
        }
    }

    private static long ReceivedSoFar(Task<StreamTally> tally) => tally.IsCompletedSuccessfully ? tally.Result.Bytes : 0;

    private sealed record Transfer(TcpOutcome Outcome, long Sent, long Received, TimeSpan Elapsed, string? Sha256, string? Error);
}
