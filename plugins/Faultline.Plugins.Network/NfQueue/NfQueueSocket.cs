using System.Diagnostics;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using Faultline.Plugins.Network.Namespaces;
using Faultline.Sdk.Plugins;

namespace Faultline.Plugins.Network.NfQueue;

/// <summary>
/// A NETLINK_NETFILTER socket bound to one NFQUEUE number in one network namespace: it configures the queue
/// (acknowledged requests, errors raised with the kernel's errno), receives queued packets and sends verdicts.
/// Sending is safe from any thread; receiving is for one reader at a time (the delayer's receive loop, or the
/// configuration call that waits for its ack before the loop starts and after it stopped).
/// </summary>
internal sealed partial class NfQueueSocket : IVerdictSender, IDisposable
{
    /// <summary>Room for ~10,000 queued-packet messages: a burst waits here, not in the fail-open path.</summary>
    public const int DefaultReceiveBufferBytes = 8 << 20;

    /// <summary>How far overruns may raise the receive buffer.</summary>
    public const int DefaultReceiveBufferLimit = 64 << 20;

    private const int VerdictsPerSend = 256;
    private const int ReceiveBufferBytes = 64 << 10;
    private static readonly TimeSpan AcknowledgementTimeout = TimeSpan.FromSeconds(5);

    /// <summary>After an overrun, how long the socket must stay quiet before a request whose ack went missing is sent again.</summary>
    private static readonly TimeSpan ResendQuietPeriod = TimeSpan.FromMilliseconds(100);

    private readonly Socket _socket;
    private readonly IPluginLog _log;
    private readonly Lock _sendLock = new();
    private readonly byte[] _sendBuffer = new byte[VerdictsPerSend * NfQueueMessages.VerdictMessageLength];
    private readonly byte[] _receiveBuffer = new byte[ReceiveBufferBytes];
    private readonly int _receiveBufferLimit;
    private int _receiveBufferBytes;
    private uint _sequence;
    private long _receiveOverruns;
    private long _verdictErrors;

    private NfQueueSocket(Socket socket, NetworkNamespace ns, ushort queueNumber, int receiveBufferBytes, int receiveBufferLimit, IPluginLog log)
    {
        _socket = socket;
        _log = log;
        Namespace = ns;
        QueueNumber = queueNumber;
        _receiveBufferLimit = receiveBufferLimit;
        PortId = socket.LocalEndPoint is NetlinkEndPoint local ? local.PortId : 0;
        SetReceiveBuffer(receiveBufferBytes);
    }

    private delegate void RequestWriter(ref NetlinkMessageBuilder builder, uint sequence);

    public NetworkNamespace Namespace { get; }

    public ushort QueueNumber { get; }

    /// <summary>The netlink port id the kernel gave this socket; the queue belongs to it once bound.</summary>
    public uint PortId { get; }

    /// <summary>Times the kernel found the receive buffer full: those packets went on undelayed (fail-open).</summary>
    public long ReceiveOverruns => Interlocked.Read(ref _receiveOverruns);

    /// <summary>Verdicts the kernel refused, typically for a packet it had already flushed (its interface went down).</summary>
    public long VerdictErrors => Interlocked.Read(ref _verdictErrors);

    /// <summary>
    /// Opens the socket inside <paramref name="ns"/>: a netlink socket belongs to the namespace of the thread that
    /// created it, so only creation happens on the namespace's thread and every later call may come from any thread.
    /// </summary>
    public static async Task<NfQueueSocket> OpenAsync(NetworkNamespace ns, ushort queueNumber, IPluginLog log, int receiveBufferBytes = DefaultReceiveBufferBytes, int receiveBufferLimit = DefaultReceiveBufferLimit)
    {
        ArgumentNullException.ThrowIfNull(ns);
        ArgumentNullException.ThrowIfNull(log);
        var socket = await ns.RunAsync(CreateBoundSocket);
        try
        {
            return new NfQueueSocket(socket, ns, queueNumber, receiveBufferBytes, receiveBufferLimit, log);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Binds the queue in metadata-only, fail-open mode. Throws <see cref="NfQueueException"/> when another socket
    /// holds the queue number. Packets may arrive before the ack: they go to <paramref name="onPacket"/>.
    /// </summary>
    public void Bind(uint queueMaxLength, Action<uint> onPacket)
    {
        // Kernels before 3.8 hand a family to nfnetlink_queue only after PF_BIND, and PF_UNBIND first clears a
        // stale handler; later kernels accept both and ignore them. An unbind that fails is harmless.
        var unbound = Request("PF_UNBIND AF_INET", (ref b, s) => NfQueueMessages.WriteFamilyCommand(ref b, s, NfQueueProtocol.CommandProtocolFamilyUnbind, NfQueueProtocol.AddressFamilyInet), onPacket);
        if (unbound != 0)
        {
            _log.Info($"{Describe()}: PF_UNBIND answered {ErrorText(unbound)}; continuing (only kernels before 3.8 use it).");
        }

        ThrowOnError("PF_BIND AF_INET", Request("PF_BIND AF_INET", (ref b, s) => NfQueueMessages.WriteFamilyCommand(ref b, s, NfQueueProtocol.CommandProtocolFamilyBind, NfQueueProtocol.AddressFamilyInet), onPacket));

        var bound = Request("bind", (ref b, s) => NfQueueMessages.WriteBind(ref b, s, QueueNumber, queueMaxLength), onPacket);
        switch (bound)
        {
            case 0:
                return;
            case 1: // EPERM: the queue exists and belongs to another port id.
                throw new NfQueueException(
                    $"{Describe()} is already bound by another socket (another delayer, or an NFQUEUE program such as suricata): pick a free queue number or stop the other user first. The kernel answered EPERM, which also means a missing CAP_NET_ADMIN.",
                    bound);
            case 16:
                // EBUSY: bound by this very socket. We bind once per socket, so this answers a resend whose
                // first copy bound the queue (with its settings) and lost its ack to an overrun.
                return;
            default:
                ThrowOnError("bind", bound);
                return;
        }
    }

    /// <summary>
    /// Sets the kernel's queue length. At 0 with fail-open, the kernel accepts every new packet at once instead of
    /// queueing it, which lets the delayer release what it holds and unbind without a packet caught in between.
    /// </summary>
    public void SetQueueMaxLength(uint queueMaxLength, Action<uint> onPacket) =>
        ThrowOnError($"queue length {queueMaxLength}", Request($"queue length {queueMaxLength}", (ref b, s) => NfQueueMessages.WriteQueueMaxLength(ref b, s, QueueNumber, queueMaxLength), onPacket));

    public void Unbind(Action<uint> onPacket)
    {
        var unbound = Request("unbind", (ref b, s) => NfQueueMessages.WriteUnbind(ref b, s, QueueNumber), onPacket);

        // ENODEV: no such queue any more, which is what an unbind wants (a resent unbind gets it after the first copy worked).
        ThrowOnError("unbind", unbound == 19 ? 0 : unbound);
    }

    /// <summary>NF_ACCEPT for every id, packed into as few datagrams as the send buffer allows.</summary>
    public void Accept(ReadOnlySpan<uint> packetIds)
    {
        lock (_sendLock)
        {
            var next = 0;
            while (next < packetIds.Length)
            {
                var builder = new NetlinkMessageBuilder(_sendBuffer);
                while (next < packetIds.Length && builder.HasRoomFor(NfQueueMessages.VerdictMessageLength))
                {
                    NfQueueMessages.WriteAccept(ref builder, QueueNumber, packetIds[next++]);
                }

                Send(_sendBuffer.AsSpan(0, builder.Length), "verdicts");
            }
        }
    }

    /// <summary>
    /// Waits up to <paramref name="wait"/> for one datagram and hands each packet in it to <paramref name="onPacket"/>;
    /// returns without one on time-out or a receive-buffer overrun (logged and counted).
    /// </summary>
    public void Pump(TimeSpan wait, Action<uint> onPacket)
    {
        var length = ReceiveDatagram(wait);
        if (length > 0)
        {
            Dispatch(_receiveBuffer.AsSpan(0, length), onPacket, awaitedSequences: null);
        }
    }

    public void Dispose() => _socket.Dispose();

    public override string ToString() => Describe();

    private static Socket CreateBoundSocket()
    {
        var descriptor = OpenSocket(NfQueueProtocol.AddressFamilyNetlink, NfQueueProtocol.SocketTypeRaw | NfQueueProtocol.SocketFlagCloseOnExec, NfQueueProtocol.NetlinkNetfilter);
        if (descriptor < 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            throw new NfQueueException($"socket(AF_NETLINK, SOCK_RAW, NETLINK_NETFILTER) failed: {Marshal.GetPInvokeErrorMessage(errno)} (errno {errno}).", errno);
        }

        // .NET's Socket constructor refuses AF_NETLINK, but adopts a descriptor of any family.
        var handle = new SafeSocketHandle(descriptor, ownsHandle: true);
        Socket? socket = null;
        try
        {
            socket = new Socket(handle);
            socket.Bind(new NetlinkEndPoint());
            return socket;
        }
        catch
        {
            if (socket is null)
            {
                handle.Dispose();
            }
            else
            {
                socket.Dispose();
            }

            throw;
        }
    }

    /// <summary>
    /// Sends a configuration request and waits for its answer (0 or an errno). A full receive buffer makes the
    /// kernel drop acks too, so after an overrun, once the socket is quiet, the request goes again; every request
    /// here may be repeated, and an answer to any copy counts.
    /// </summary>
    private int Request(string what, RequestWriter write, Action<uint> onPacket)
    {
        var started = Stopwatch.GetTimestamp();
        List<uint> sequences = [SendRequest(what, write)];
        var overrunsAtSend = ReceiveOverruns;
        while (true)
        {
            var remaining = AcknowledgementTimeout - Stopwatch.GetElapsedTime(started);
            if (remaining <= TimeSpan.Zero)
            {
                throw new NfQueueException($"{Describe()}: {what}: the kernel did not answer within {AcknowledgementTimeout.TotalSeconds} s ({sequences.Count} tries).");
            }

            var ackMayBeLost = ReceiveOverruns != overrunsAtSend;
            var overrunsBefore = ReceiveOverruns;
            var length = ReceiveDatagram(ackMayBeLost && remaining > ResendQuietPeriod ? ResendQuietPeriod : remaining);
            if (length > 0)
            {
                if (Dispatch(_receiveBuffer.AsSpan(0, length), onPacket, sequences) is { } errno)
                {
                    return errno;
                }
            }
            else if (ackMayBeLost && ReceiveOverruns == overrunsBefore)
            {
                // Quiet (not another overrun) and still no answer: the ack was among what the kernel dropped.
                _log.Info($"{Describe()}: {what}: the answer was lost to a receive buffer overrun; asking again.");
                sequences.Add(SendRequest(what, write));
                overrunsAtSend = ReceiveOverruns;
            }
        }
    }

    private uint SendRequest(string what, RequestWriter write)
    {
        lock (_sendLock)
        {
            // Sequence 0 is left to verdicts, so an error that carries it is known to be a verdict's.
            var sequence = ++_sequence == 0 ? ++_sequence : _sequence;
            var builder = new NetlinkMessageBuilder(_sendBuffer);
            write(ref builder, sequence);
            Send(_sendBuffer.AsSpan(0, builder.Length), what);
            return sequence;
        }
    }

    /// <summary>Hands packets on, counts verdict errors, and returns the answer to the awaited request if this datagram holds one.</summary>
    private int? Dispatch(ReadOnlySpan<byte> datagram, Action<uint> onPacket, List<uint>? awaitedSequences)
    {
        int? awaited = null;
        var reader = new NetlinkMessageReader(datagram);
        while (reader.TryRead(out var message))
        {
            if (NfQueueMessages.TryReadPacketId(message, QueueNumber, out var packetId))
            {
                onPacket(packetId);
            }
            else if (NfQueueMessages.TryReadAcknowledgement(message, out var errno))
            {
                if (message.Sequence != 0 && awaitedSequences is not null && awaitedSequences.Contains(message.Sequence))
                {
                    awaited ??= errno;
                }
                else if (errno != 0 && message.Sequence == 0)
                {
                    var errors = Interlocked.Increment(ref _verdictErrors);
                    if (errors == 1 || errors % 1000 == 0)
                    {
                        _log.Warn($"{Describe()}: the kernel refused a verdict ({ErrorText(errno)}; {errors} so far): the packet was no longer queued, e.g. flushed when its interface went down.");
                    }
                }
            }

            // NOOP, DONE, OVERRUN and late acks of abandoned requests carry nothing to act on.
        }

        return awaited;
    }

    private int ReceiveDatagram(TimeSpan wait)
    {
        try
        {
            // Poll also reports a pending socket error, so an overrun surfaces from the Receive below.
            return _socket.Poll(wait, SelectMode.SelectRead) ? _socket.Receive(_receiveBuffer) : 0;
        }
        catch (SocketException exception) when (exception.SocketErrorCode == SocketError.NoBufferSpaceAvailable)
        {
            OnReceiveOverrun();
            return 0;
        }
        catch (SocketException exception)
        {
            throw new NfQueueException($"{Describe()}: receive failed: {exception.Message}", exception);
        }
    }

    /// <summary>
    /// ENOBUFS: packet messages did not fit the receive buffer. The kernel let those packets through undelayed
    /// (fail-open) rather than drop them, so nothing is stuck; a bigger buffer makes it rarer.
    /// </summary>
    private void OnReceiveOverrun()
    {
        var overruns = Interlocked.Increment(ref _receiveOverruns);
        var raised = Math.Min(_receiveBufferBytes * 2, _receiveBufferLimit);
        if (raised > _receiveBufferBytes)
        {
            SetReceiveBuffer(raised);
        }

        if (overruns == 1 || overruns % 100 == 0)
        {
            _log.Warn($"{Describe()}: receive buffer overrun ({overruns} so far): some packets went through undelayed; receive buffer now {_receiveBufferBytes >> 10} KiB.");
        }
    }

    private void SetReceiveBuffer(int bytes)
    {
        try
        {
            // SO_RCVBUFFORCE passes net.core.rmem_max (we run as root); plain SO_RCVBUF is capped by it.
            Span<byte> value = stackalloc byte[sizeof(int)];
            BitConverter.TryWriteBytes(value, bytes);
            _socket.SetRawSocketOption(NfQueueProtocol.SolSocket, NfQueueProtocol.SoReceiveBufferForce, value);
        }
        catch (SocketException)
        {
            _socket.ReceiveBufferSize = bytes;
        }

        _receiveBufferBytes = bytes;
    }

    private void Send(ReadOnlySpan<byte> datagram, string what)
    {
        try
        {
            var sent = _socket.Send(datagram);
            if (sent != datagram.Length)
            {
                throw new NfQueueException($"{Describe()}: {what}: sent {sent} of {datagram.Length} bytes.");
            }
        }
        catch (SocketException exception)
        {
            throw new NfQueueException($"{Describe()}: {what}: send failed: {exception.Message}", exception);
        }
    }

    private void ThrowOnError(string what, int errno)
    {
        if (errno != 0)
        {
            throw new NfQueueException($"{Describe()}: {what} refused by the kernel: {ErrorText(errno)}.", errno);
        }
    }

    private string Describe() => $"NFQUEUE {QueueNumber} in {Namespace}";

    private static string ErrorText(int errno) => $"{Marshal.GetPInvokeErrorMessage(errno)} (errno {errno})";

    [LibraryImport("libc", EntryPoint = "socket", SetLastError = true)]
    private static partial int OpenSocket(int domain, int type, int protocol);
}
