using System.Diagnostics;
using Faultline.Plugins.Network.Namespaces;
using Faultline.Sdk.Plugins;

namespace Faultline.Plugins.Network.NfQueue;

/// <summary>
/// Delays packets in userspace, for kernels without sch_netem: iptables rules send packets to an NFQUEUE
/// (<c>-j NFQUEUE --queue-num N --queue-bypass</c>) and this delayer holds each packet's verdict for the delay its
/// <see cref="DelayModel"/> draws, then accepts it. While it lives it drops nothing: the queue is fail-open (a full
/// queue or receive buffer lets packets through undelayed), a broken thread shuts it down the same way, and dispose
/// accepts every held packet before unbinding. If the process dies, the rule's --queue-bypass lets traffic flow
/// undelayed; only the packets held at that instant are lost, as the kernel drops a vanished listener's queue.
/// </summary>
public sealed class NfQueueDelayer : IAsyncDisposable
{
    /// <summary>Packets the kernel may hold for us: 200 ms at 80,000 packets/s. Beyond it, fail-open lets them pass.</summary>
    internal const uint QueueMaxLength = 16384;

    private static readonly TimeSpan ReceivePollInterval = TimeSpan.FromMilliseconds(50);

    private readonly NfQueueSocket _socket;
    private readonly VerdictScheduler _scheduler;
    private readonly CorrelatedDelaySequence _delays;
    private readonly IPluginLog _log;
    private readonly Thread _receiver;
    private readonly Action<uint> _hold;
    private readonly Lazy<Task> _shutdown;
    private volatile bool _stopping;
    private bool _bound;
    private long _packetsSeen;
    private Exception? _fault;

    private NfQueueDelayer(NfQueueSocket socket, DelayModel model, IPluginLog log, Random random)
    {
        _socket = socket;
        _log = log;
        _delays = new CorrelatedDelaySequence(model, random);
        _hold = Hold;
        _scheduler = new VerdictScheduler(socket, Fail, $"nfqueue {socket.QueueNumber} verdicts");
        _receiver = new Thread(Receive) { IsBackground = true, Name = $"nfqueue {socket.QueueNumber} receive" };
        _shutdown = new Lazy<Task>(() => Task.Run(Shutdown));
    }

    public NetworkNamespace Namespace => _socket.Namespace;

    public ushort QueueNumber => _socket.QueueNumber;

    public DelayModel Model => _delays.Model;

    /// <summary>Set when the delayer broke and let traffic through undelayed; null while it works.</summary>
    public Exception? Fault => Volatile.Read(ref _fault);

    public NfQueueDelayerStatistics Statistics => new(
        Interlocked.Read(ref _packetsSeen),
        _scheduler.VerdictsSent,
        _scheduler.Depth,
        _scheduler.MeanLateness,
        _scheduler.MaxLateness,
        _socket.ReceiveOverruns,
        _socket.VerdictErrors);

    /// <summary>
    /// Binds <paramref name="queueNumber"/> inside <paramref name="ns"/> and starts delaying what the rules queue
    /// there. Throws <see cref="NfQueueException"/> when the queue is taken or the kernel refuses.
    /// </summary>
    public static Task<NfQueueDelayer> StartAsync(NetworkNamespace ns, ushort queueNumber, DelayModel model, IPluginLog log) =>
        StartAsync(ns, queueNumber, model, log, NfQueueSocket.DefaultReceiveBufferBytes, NfQueueSocket.DefaultReceiveBufferLimit, random: null);

    /// <summary>As the public overload, with the receive buffer and randomness open to tests.</summary>
    internal static async Task<NfQueueDelayer> StartAsync(NetworkNamespace ns, ushort queueNumber, DelayModel model, IPluginLog log, int receiveBufferBytes, int receiveBufferLimit, Random? random)
    {
        ArgumentNullException.ThrowIfNull(ns);
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(log);
        if (!ns.Exists)
        {
            throw new NfQueueException($"Network namespace {ns} does not exist: cannot bind NFQUEUE {queueNumber} there.");
        }

        var socket = await NfQueueSocket.OpenAsync(ns, queueNumber, log, receiveBufferBytes, receiveBufferLimit);
        var delayer = new NfQueueDelayer(socket, model, log, random ?? new Random());
        try
        {
            delayer.Run();
        }
        catch
        {
            await delayer.DisposeAsync();
            throw;
        }

        return delayer;
    }

    /// <summary>Stops receiving, accepts every held packet at once, unbinds the queue and closes the socket.</summary>
    public async ValueTask DisposeAsync() => await _shutdown.Value;

    public override string ToString() => $"{_socket}: delay {Model}";

    private static long ToStopwatchTicks(TimeSpan delay) => (long)(delay.Ticks * ((double)Stopwatch.Frequency / TimeSpan.TicksPerSecond));

    private void Run()
    {
        // The scheduler runs before the bind: packets may arrive while the bind's ack is on its way.
        _scheduler.Start();
        _socket.Bind(QueueMaxLength, _hold);
        _bound = true;
        _receiver.Start();
        _log.Info($"{_socket}: delaying packets {Model} (netlink port {_socket.PortId}).");
    }

    /// <summary>Stamps a packet with its due time. One caller at a time: the bind's ack wait, the receive loop, then shutdown.</summary>
    private void Hold(uint packetId)
    {
        var arrived = Stopwatch.GetTimestamp();
        Interlocked.Increment(ref _packetsSeen);
        _scheduler.Hold(packetId, arrived + ToStopwatchTicks(_delays.Next()));
    }

    private void Receive()
    {
        try
        {
            while (!_stopping)
            {
                _socket.Pump(ReceivePollInterval, _hold);
            }
        }
#pragma warning disable CA1031 // Whatever broke, the delayer fails open; the thread ends here.
        catch (Exception exception)
#pragma warning restore CA1031
        {
            Fail(exception);
        }
    }

    /// <summary>A thread of the delayer broke: record why and shut down, which lets traffic through undelayed.</summary>
    private void Fail(Exception exception)
    {
        if (Interlocked.CompareExchange(ref _fault, exception, null) is null)
        {
            _log.Fail($"{_socket}: the delayer failed and lets traffic through undelayed from now on.", exception);
        }

        _ = _shutdown.Value;
    }

    private void Shutdown()
    {
        _stopping = true;
        if (_receiver.IsAlive)
        {
            _receiver.Join();
        }

        try
        {
            if (_bound)
            {
                // With the kernel's queue length at 0, new packets pass at once (fail-open), so once this is
                // acknowledged no packet can enter the queue behind the release below and be dropped by the unbind.
                Attempt("stop queueing", () => _socket.SetQueueMaxLength(0, _hold));
            }

            Attempt("release the held packets (the kernel drops them as the socket closes)", _scheduler.StopAndReleaseAll);
            if (_bound)
            {
                Attempt("unbind", () => _socket.Unbind(_hold));
            }
        }
        finally
        {
            // Closing the socket is what finally frees the queue number, whatever failed above.
            _socket.Dispose();
            _scheduler.Dispose();
        }

        if (_bound)
        {
            var statistics = Statistics;
            _log.Info($"{_socket}: stopped after {statistics.PacketsSeen} packets, {statistics.VerdictsSent} accepted, lateness mean {statistics.MeanLateness.TotalMilliseconds:F3} ms max {statistics.MaxLateness.TotalMilliseconds:F3} ms, {statistics.ReceiveOverruns} overruns.");
        }
    }

    /// <summary>One shutdown step: a failure is logged and the next step still runs, so the socket always closes.</summary>
    private void Attempt(string what, Action step)
    {
        try
        {
            step();
        }
#pragma warning disable CA1031 // Shutdown must reach the socket's close whatever a step throws.
        catch (Exception exception)
#pragma warning restore CA1031
        {
            _log.Warn($"{_socket}: {what} failed ({exception.Message}); carrying on with the shutdown.");
        }
    }
}
