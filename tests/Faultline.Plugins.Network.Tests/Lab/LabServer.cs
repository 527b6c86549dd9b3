using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Faultline.Plugins.Network.Namespaces;

namespace Faultline.Plugins.Network.Tests.Lab;

/// <summary>
/// The lab's services in namespace B, on fixed ports (the namespace is private to one lab, so nothing else can hold
/// them): a TCP echo, a TCP sink counting bytes, a TCP checksum service hashing them, and a UDP counter of sequence
/// numbers. The sockets are created on a thread inside B and therefore stay in B; the loops then run on the thread
/// pool like any other socket code.
/// </summary>
public sealed class LabServer : IAsyncDisposable
{
    public const int EchoPort = 7001;
    public const int SinkPort = 7002;
    public const int ChecksumPort = 7003;
    public const int UdpPort = 7004;

    /// <summary>UDP probe datagrams start with the run's id (16 bytes) and a big-endian sequence number (4 bytes).</summary>
    public const int UdpHeaderLength = 20;

    private readonly Socket[] _listeners;
    private readonly Socket _udp;
    private readonly CancellationTokenSource _stop = new();
    private readonly ConcurrentDictionary<(int Port, IPEndPoint Client), TaskCompletionSource<StreamTally>> _tallies = new();
    private readonly ConcurrentDictionary<Guid, UdpTally> _udpRuns = new();
    private readonly ConcurrentDictionary<Socket, Task> _connections = new();
    private readonly List<Task> _loops = [];
    private int _disposed;

    private LabServer(Socket echo, Socket sink, Socket checksum, Socket udp)
    {
        _listeners = [echo, sink, checksum];
        _udp = udp;
        foreach (var listener in _listeners)
        {
            _loops.Add(AcceptLoopAsync(listener, ((IPEndPoint)listener.LocalEndPoint!).Port));
        }

        _loops.Add(UdpLoopAsync());
    }

    public static async Task<LabServer> StartAsync(NetworkNamespace ns, IPAddress address)
    {
        ArgumentNullException.ThrowIfNull(ns);
        var sockets = await ns.RunAsync(() =>
        {
            var created = new List<Socket>();
            try
            {
                foreach (var port in new[] { EchoPort, SinkPort, ChecksumPort })
                {
                    var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
                    created.Add(listener);
                    listener.Bind(new IPEndPoint(address, port));
                    listener.Listen(128);
                }

                var udp = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
                created.Add(udp);
                udp.Bind(new IPEndPoint(address, UdpPort));
                return created;
            }
            catch (SocketException)
            {
                created.ForEach(socket => socket.Dispose());
                throw;
            }
        });
        return new LabServer(sockets[0], sockets[1], sockets[2], sockets[3]);
    }

    /// <summary>
    /// The tally of the connection to <paramref name="port"/> from <paramref name="client"/> (the client socket's local
    /// end point), once the server has accepted it.
    /// </summary>
    public Task<StreamTally> TallyAsync(int port, IPEndPoint client) => Source(port, client).Task;

    /// <summary>Drops the record of a finished connection, so a long test does not accumulate them.</summary>
    public void Forget(int port, IPEndPoint client) => _tallies.TryRemove((port, client), out _);

    public UdpTallySnapshot UdpSnapshot(Guid run) => _udpRuns.TryGetValue(run, out var tally) ? tally.Snapshot() : UdpTallySnapshot.Empty;

    public void ForgetUdp(Guid run) => _udpRuns.TryRemove(run, out _);

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        await _stop.CancelAsync();
        foreach (var listener in _listeners)
        {
            listener.Dispose();
        }

        _udp.Dispose();
        foreach (var connection in _connections.Keys)
        {
            connection.Dispose();
        }

        // Every loop ends on the cancellation or the closed socket; awaiting them means no server code still runs
        // (and no socket still holds namespace B) once the lab deletes it.
        await Task.WhenAll(_loops.Concat(_connections.Values));
        _stop.Dispose();
    }

    private TaskCompletionSource<StreamTally> Source(int port, IPEndPoint client) =>
        _tallies.GetOrAdd((port, client), _ => new TaskCompletionSource<StreamTally>(TaskCreationOptions.RunContinuationsAsynchronously));

    private async Task AcceptLoopAsync(Socket listener, int port)
    {
        while (true)
        {
            Socket connection;
            try
            {
                connection = await listener.AcceptAsync(_stop.Token);
            }
            catch (Exception exception) when (exception is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                if (_stop.IsCancellationRequested)
                {
                    return;
                }

                // An accept can fail for one connection (reset before it was accepted); the listener goes on.
                continue;
            }

            var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _connections[connection] = ServeAsync(connection, port, started.Task);
            started.SetResult();
        }
    }

    private async Task ServeAsync(Socket connection, int port, Task registered)
    {
        // Starts only once the connection is in _connections, so its removal below cannot come first.
        await registered;
        StreamTally? tally = null;
        try
        {
            if (port == EchoPort)
            {
                await EchoAsync(connection);
                return;
            }

            tally = new StreamTally(hash: port == ChecksumPort);
            Source(port, (IPEndPoint)connection.RemoteEndPoint!).TrySetResult(tally);
            var buffer = new byte[64 * 1024];
            while (true)
            {
                var read = await connection.ReceiveAsync(buffer, SocketFlags.None, _stop.Token);
                if (read == 0)
                {
                    tally.Complete();
                    return;
                }

                tally.Add(buffer.AsSpan(0, read));
            }
        }
        catch (SocketException exception)
        {
            tally?.Fail($"{exception.SocketErrorCode}: {exception.Message}");
        }
        catch (Exception exception) when (exception is OperationCanceledException or ObjectDisposedException)
        {
            tally?.Fail("the lab server stopped");
        }
        finally
        {
            _connections.TryRemove(connection, out _);
            connection.Dispose();
        }
    }

    private async Task EchoAsync(Socket connection)
    {
        var buffer = new byte[4096];
        while (true)
        {
            var read = await connection.ReceiveAsync(buffer, SocketFlags.None, _stop.Token);
            if (read == 0)
            {
                return;
            }

            await connection.SendAsync(buffer.AsMemory(0, read), SocketFlags.None, _stop.Token);
        }
    }

    private async Task UdpLoopAsync()
    {
        var buffer = new byte[2048];
        EndPoint anyone = new IPEndPoint(IPAddress.Any, 0);
        while (true)
        {
            SocketReceiveFromResult received;
            try
            {
                received = await _udp.ReceiveFromAsync(buffer, SocketFlags.None, anyone, _stop.Token);
            }
            catch (Exception exception) when (exception is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                if (_stop.IsCancellationRequested)
                {
                    return;
                }

                continue;
            }

            if (received.ReceivedBytes < UdpHeaderLength)
            {
                continue;
            }

            var run = new Guid(buffer.AsSpan(0, 16));
            var sequence = BinaryPrimitives.ReadInt32BigEndian(buffer.AsSpan(16, 4));
            _udpRuns.GetOrAdd(run, _ => new UdpTally()).Record(sequence);
        }
    }
}
