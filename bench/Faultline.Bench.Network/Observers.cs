using System.Buffers.Binary;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Faultline.Bench.Network;

/// <summary>What a probe saw: the fault, the baseline, or not known yet (a probe still in flight).</summary>
internal enum Seen
{
    Unknown,
    Baseline,
    Fault,
}

/// <summary>Watches the link from namespace A continuously; answers when the fault first showed, or the baseline.</summary>
internal interface IObserver : IDisposable
{
    /// <summary>What the observer counts as the fault, for the report.</summary>
    string Describes { get; }

    void Start();

    void Stop();

    /// <summary>
    /// Milliseconds from <paramref name="t0"/> (a <see cref="Stopwatch"/> timestamp) to the start of the first probe,
    /// begun at or after <paramref name="t0"/>, that showed <paramref name="state"/> (and so did the probes right after
    /// it); null while that is not known yet.
    /// </summary>
    double? Since(long t0, Seen state);
}

/// <summary>
/// A UDP echo probe from A to B every millisecond, independent of the replies (so a 100 ms delay does not slow the
/// probing down). In drop mode a probe shows the fault when no reply came within 50 ms (or the kernel refused the
/// send: a local netfilter drop returns EPERM); in delay mode when its round trip exceeded 80 ms.
/// </summary>
internal sealed class UdpObserver : IObserver
{
    private const int Capacity = 120_000;
    private const int Confirmations = 3;
    private static readonly long DropAfter = Stopwatch.Frequency / 20;
    private static readonly long DelayAbove = Stopwatch.Frequency * 80 / 1000;

    private readonly Socket _socket;
    private readonly bool _delay;
    private readonly long[] _sent = new long[Capacity];
    private readonly long[] _received = new long[Capacity];
    private int _count;
    private int _epoch;
    private volatile bool _running;
    private Thread? _sender;
    private Thread? _receiver;

    private UdpObserver(Socket socket, bool delay)
    {
        _socket = socket;
        _delay = delay;
    }

    public string Describes => _delay ? "first UDP echo with RTT > 80 ms" : "first UDP echo lost (no reply in 50 ms, or send refused)";

    public static async Task<UdpObserver> CreateAsync(BenchLab lab, bool delay)
    {
        var socket = await lab.A.RunAsync(() =>
        {
            var s = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp) { ReceiveTimeout = 50 };
            s.Connect(new IPEndPoint(lab.AddressB, BenchLab.EchoPort));
            return s;
        });
        return new UdpObserver(socket, delay);
    }

    public void Start()
    {
        Stop();
        Array.Clear(_sent, 0, Math.Min(_count + 1, Capacity));
        Array.Clear(_received, 0, Math.Min(_count + 1, Capacity));
        Volatile.Write(ref _count, 0);
        _epoch++;
        _running = true;
        var epoch = _epoch;
        _sender = new Thread(() => Send(epoch)) { IsBackground = true, Name = "probe sender" };
        _receiver = new Thread(() => Receive(epoch)) { IsBackground = true, Name = "probe receiver" };
        _receiver.Start();
        _sender.Start();
    }

    public void Stop()
    {
        _running = false;
        _sender?.Join();
        _receiver?.Join();
        _sender = _receiver = null;
    }

    public double? Since(long t0, Seen state)
    {
        var count = Volatile.Read(ref _count);
        var now = Stopwatch.GetTimestamp();
        for (var n = 0; n < count; n++)
        {
            if (_sent[n] < t0)
            {
                continue;
            }

            var seen = Classify(n, now);
            if (seen == Seen.Unknown)
            {
                return null;
            }

            if (seen != state)
            {
                continue;
            }

            for (var k = 1; k < Confirmations; k++)
            {
                if (n + k >= count)
                {
                    return null;
                }

                var next = Classify(n + k, now);
                if (next == Seen.Unknown)
                {
                    return null;
                }

                if (next != state)
                {
                    goto NextProbe;
                }
            }

            return Stopwatch.GetElapsedTime(t0, _sent[n]).TotalMilliseconds;
        NextProbe:;
        }

        return null;
    }

    public void Dispose()
    {
        Stop();
        _socket.Dispose();
    }

    private Seen Classify(int n, long now)
    {
        var received = Volatile.Read(ref _received[n]);
        if (received != 0)
        {
            return _delay && received - _sent[n] > DelayAbove ? Seen.Fault : Seen.Baseline;
        }

        return now - _sent[n] > (_delay ? DelayAbove : DropAfter) ? Seen.Fault : Seen.Unknown;
    }

    private void Send(int epoch)
    {
        var buffer = new byte[8];
        BinaryPrimitives.WriteInt32LittleEndian(buffer, epoch);
        for (var n = 0; _running && n < Capacity; n++)
        {
            BinaryPrimitives.WriteInt32LittleEndian(buffer.AsSpan(4), n);
            _sent[n] = Stopwatch.GetTimestamp();
            Volatile.Write(ref _count, n + 1);
            try
            {
                _socket.Send(buffer);
            }
            catch (SocketException)
            {
                // Refused by a local drop rule (EPERM): the probe is lost, which is what it measures.
            }

            Thread.Sleep(1);
        }
    }

    private void Receive(int epoch)
    {
        var buffer = new byte[64];
        while (_running)
        {
            int length;
            try
            {
                length = _socket.Receive(buffer);
            }
            catch (SocketException)
            {
                continue; // the 50 ms receive timeout, or an ICMP error: look at _running again.
            }

            var now = Stopwatch.GetTimestamp();
            if (length == 8 && BinaryPrimitives.ReadInt32LittleEndian(buffer) == epoch)
            {
                var n = BinaryPrimitives.ReadInt32LittleEndian(buffer.AsSpan(4));
                if (n >= 0 && n < Capacity)
                {
                    Volatile.Write(ref _received[n], now);
                }
            }
        }
    }
}

/// <summary>For bandwidth: a tbf shapes without dropping small probes, so what is observable is the qdisc itself in `tc qdisc show`.</summary>
internal sealed class QdiscObserver(BenchLab lab) : IObserver
{
    private readonly List<(long Start, bool Tbf)> _polls = [];
    private readonly Lock _guard = new();
    private CancellationTokenSource? _stop;
    private Task? _loop;

    public string Describes => "first `tc qdisc show` listing (or no longer listing) the tbf";

    public void Start()
    {
        Stop();
        lock (_guard)
        {
            _polls.Clear();
        }

        _stop = new CancellationTokenSource();
        var token = _stop.Token;
        _loop = Task.Run(async () =>
        {
            while (!token.IsCancellationRequested)
            {
                var start = Stopwatch.GetTimestamp();
                var shown = await lab.Commands.RunAsync(lab.A, "tc", ["qdisc", "show", "dev", lab.InterfaceA], CancellationToken.None);
                lock (_guard)
                {
                    _polls.Add((start, shown.Output.Contains(" tbf ", StringComparison.Ordinal)));
                }
            }
        }, CancellationToken.None);
    }

    public void Stop()
    {
        _stop?.Cancel();
        _loop?.GetAwaiter().GetResult();
        _stop?.Dispose();
        _stop = null;
        _loop = null;
    }

    public double? Since(long t0, Seen state)
    {
        lock (_guard)
        {
            foreach (var (start, tbf) in _polls)
            {
                if (start >= t0 && tbf == (state == Seen.Fault))
                {
                    return Stopwatch.GetElapsedTime(t0, start).TotalMilliseconds;
                }
            }
        }

        return null;
    }

    public void Dispose() => Stop();
}
