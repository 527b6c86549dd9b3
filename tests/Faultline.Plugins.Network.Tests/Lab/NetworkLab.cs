using System.Net;
using System.Security.Cryptography;
using System.Text.Json;
using Faultline.Plugins.Network.Host;
using Faultline.Plugins.Network.Namespaces;

namespace Faultline.Plugins.Network.Tests.Lab;

/// <summary>
/// Two fresh network namespaces, A (client side) and B (server side, with two addresses), joined by a veth pair on a random /29 of
/// 10.200.0.0/16, with the lab's services running in B and measurements taken from A. Faults go on A's veth or
/// firewall (or B's) exactly as the injector would put them on a real host; disposing deletes both namespaces,
/// and with them the veth and every qdisc and rule inside.
/// </summary>
public sealed class NetworkLab : IAsyncDisposable
{
    private const string TokenAlphabet = "abcdefghijklmnopqrstuvwxyz0123456789";
    private static readonly TimeSpan LinkUpTimeout = TimeSpan.FromSeconds(10);

    // Once per test process: the first lab clears what crashed runs left behind.
    private static readonly Lazy<Task> Sweep = new(SweepLeftoversAsync);

    private readonly HostCommands _commands = new();
    private LabServer? _server;
    private int _disposed;

    private NetworkLab(string token, LabSubnet subnet)
    {
        Token = token;
        Subnet = subnet;
        NameA = $"fl-a-{token}";
        NameB = $"fl-b-{token}";
        A = NetworkNamespace.Named(NameA);
        B = NetworkNamespace.Named(NameB);

        // fl + 8 + a = 11 characters, within IFNAMSIZ (15). Each end is created directly inside its namespace,
        // so the names never meet the host's devices or another lab's.
        InterfaceA = $"fl{token}a";
        InterfaceB = $"fl{token}b";
    }

    /// <summary>The random part shared by this lab's names.</summary>
    public string Token { get; }

    public string NameA { get; }

    public string NameB { get; }

    /// <summary>The client side: measurements start here.</summary>
    public NetworkNamespace A { get; }

    /// <summary>The server side: the <see cref="Server"/> listens here.</summary>
    public NetworkNamespace B { get; }

    /// <summary>A's end of the veth pair.</summary>
    public string InterfaceA { get; }

    /// <summary>B's end of the veth pair.</summary>
    public string InterfaceB { get; }

    public LabSubnet Subnet { get; }

    public IPAddress AddressA => Subnet.A;

    public IPAddress AddressB => Subnet.B;

    /// <summary>B's second address: the same namespace and server host, reached through the same veth.</summary>
    public IPAddress AddressB2 => Subnet.B2;

    public LabServer Server => _server ?? throw new InvalidOperationException("the lab has no server yet");

    /// <summary>Runs commands in the lab's namespaces, for faults made by hand.</summary>
    public HostCommands Commands => _commands;

    public TcpProbe Tcp => new(A, AddressB, Server);

    public UdpProbe Udp => new(A, AddressB, Server);

    /// <summary>
    /// Creates the namespaces, the veth pair and the addresses, brings everything up and starts the server in B.
    /// Ends the test (skip, or fail under CI=true) when the machine cannot host it.
    /// </summary>
    public static async Task<NetworkLab> CreateAsync(CancellationToken cancellationToken = default)
    {
        LabRequirements.Require("ip", "nsenter");
        cancellationToken = Or(cancellationToken);
        await Sweep.Value.WaitAsync(cancellationToken);

        var lab = new NetworkLab(RandomNumberGenerator.GetString(TokenAlphabet, 8), LabSubnet.Reserve());
        try
        {
            await lab.BuildAsync(cancellationToken);
            return lab;
        }
        catch
        {
            await lab.DisposeAsync();
            throw;
        }
    }

    /// <summary>Runs one command line (words split on spaces) in <paramref name="ns"/>; throws with stderr when it fails.</summary>
    public Task<CommandResult> RunAsync(NetworkNamespace ns, string commandLine, CancellationToken cancellationToken = default)
    {
        var words = HostCommands.Words(commandLine);
        return _commands.RunCheckedAsync(ns, words[0], words[1..], Or(cancellationToken));
    }

    /// <summary><c>ping</c> from A to B: <paramref name="count"/> requests, <paramref name="interval"/> apart.</summary>
    public Task<PingResult> PingAsync(int count, TimeSpan interval, CancellationToken cancellationToken = default) =>
        PingAsync(AddressB, count, interval, cancellationToken);

    /// <summary><c>ping</c> from A to <paramref name="target"/> (<see cref="AddressB2"/>, say).</summary>
    public Task<PingResult> PingAsync(IPAddress target, int count, TimeSpan interval, CancellationToken cancellationToken = default) =>
        PingProbe.RunAsync(A, target, count, interval, TimeSpan.FromSeconds(1), Or(cancellationToken));

    /// <summary>Connects from A to B's echo port <paramref name="count"/> times, each within <paramref name="timeout"/>.</summary>
    public Task<TcpProbeResult> TcpConnectAsync(int count, TimeSpan timeout, CancellationToken cancellationToken = default) =>
        Tcp.ConnectAsync(count, timeout, Or(cancellationToken));

    /// <summary>Times <paramref name="count"/> one-byte echo exchanges from A to B, each within <paramref name="timeout"/>.</summary>
    public Task<TcpProbeResult> TcpRoundTripAsync(int count, TimeSpan timeout, CancellationToken cancellationToken = default) =>
        Tcp.RoundTripAsync(count, timeout, Or(cancellationToken));

    /// <summary>Sends <paramref name="bytes"/> from A to B's sink; <paramref name="timeout"/> bounds the connect and then the transfer.</summary>
    public Task<ThroughputResult> ThroughputAsync(long bytes, TimeSpan timeout, CancellationToken cancellationToken = default) =>
        Tcp.ThroughputAsync(bytes, timeout, Or(cancellationToken));

    /// <summary>Sends from A to B's sink for about <paramref name="duration"/>.</summary>
    public Task<ThroughputResult> ThroughputForAsync(TimeSpan duration, TimeSpan timeout, CancellationToken cancellationToken = default) =>
        Tcp.ThroughputForAsync(duration, timeout, Or(cancellationToken));

    /// <summary>Sends <paramref name="size"/> random bytes from A and compares the SHA-256 B computed with the sent one.</summary>
    public Task<ChecksumResult> ChecksumTransferAsync(int size, TimeSpan timeout, CancellationToken cancellationToken = default) =>
        Tcp.ChecksumTransferAsync(size, timeout, Or(cancellationToken));

    /// <summary>
    /// Sends <paramref name="count"/> numbered UDP datagrams from A to B, <paramref name="interval"/> apart, and counts
    /// what B received once nothing has arrived for <paramref name="settle"/> (default 200 ms).
    /// </summary>
    public Task<UdpProbeResult> UdpProbeAsync(int count, TimeSpan interval, TimeSpan? settle = null, CancellationToken cancellationToken = default) =>
        Udp.RunAsync(count, interval, settle ?? TimeSpan.FromMilliseconds(200), Or(cancellationToken));

    /// <summary>What qdiscs, nftables and iptables hold in A beyond the defaults.</summary>
    public Task<ResidueReport> InspectAAsync(CancellationToken cancellationToken = default) =>
        ResidueInspector.InspectAsync(A, [InterfaceA], Or(cancellationToken));

    /// <summary>What qdiscs, nftables and iptables hold in B beyond the defaults.</summary>
    public Task<ResidueReport> InspectBAsync(CancellationToken cancellationToken = default) =>
        ResidueInspector.InspectAsync(B, [InterfaceB], Or(cancellationToken));

    /// <summary>
    /// Stops the server and deletes both namespaces (the veth goes with them). Never throws, so that it cannot hide
    /// the failure of the test it cleans up after; what it could not remove is written to the test's output, and
    /// the sweeper of a later run removes it.
    /// </summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        var problems = new List<string>();
        if (_server is not null)
        {
            // Its sockets hold namespace B alive: closed first, so that deleting the name really frees it.
            await _server.DisposeAsync();
        }

        foreach (var name in new[] { NameA, NameB })
        {
            if (!File.Exists($"{LabSweeper.NamespaceDirectory}/{name}"))
            {
                continue;
            }

            try
            {
                var deleted = await _commands.RunAsync(NetworkNamespace.Current, "ip", ["netns", "delete", name], CancellationToken.None);
                if (!deleted.Succeeded)
                {
                    problems.Add(deleted.ToString());
                }
            }
            catch (NetworkCommandException exception)
            {
                problems.Add(exception.Message);
            }
        }

        Subnet.Release();
        if (problems.Count > 0)
        {
            TestContext.Current.TestOutputHelper?.WriteLine($"network lab {Token}: cleanup incomplete: {string.Join("; ", problems)}");
        }
    }

    public override string ToString() => $"lab {Token}: {NameA} {InterfaceA} {AddressA} <-> {AddressB} {InterfaceB} {NameB}";

    /// <summary>The caller's token, or the test's when none was given, so an aborted test stops its measurements.</summary>
    private static CancellationToken Or(CancellationToken cancellationToken) =>
        cancellationToken.CanBeCanceled ? cancellationToken : TestContext.Current.CancellationToken;

    private static async Task SweepLeftoversAsync()
    {
        try
        {
            await LabSweeper.SweepAsync(LabSweeper.DefaultAge, CancellationToken.None);
        }
        catch (NetworkCommandException exception)
        {
            // A hung `ip netns delete` must not fail every lab of the run; the next run sweeps again.
            TestContext.Current.TestOutputHelper?.WriteLine($"network lab sweep failed: {exception.Message}");
        }
    }

    private async Task BuildAsync(CancellationToken cancellationToken)
    {
        var host = NetworkNamespace.Current;
        foreach (var name in new[] { NameA, NameB })
        {
            var added = await _commands.RunAsync(host, "ip", ["netns", "add", name], cancellationToken);
            if (!added.Succeeded)
            {
                if (added.Error.Contains("Operation not permitted", StringComparison.Ordinal))
                {
                    LabRequirements.Unavailable($"cannot create a network namespace here ({added}); the network lab needs CAP_SYS_ADMIN");
                }

                throw new NetworkCommandException(added.ToString());
            }
        }

        await _commands.RunCheckedAsync(host, "ip", ["-n", NameA, "link", "add", InterfaceA, "type", "veth", "peer", "name", InterfaceB, "netns", NameB], cancellationToken);
        await SetUpAsync(A, InterfaceA, AddressA, cancellationToken);
        await SetUpAsync(B, InterfaceB, AddressB, cancellationToken);
        await _commands.RunCheckedAsync(B, "ip", ["address", "add", $"{AddressB2}/{LabSubnet.PrefixLength}", "dev", InterfaceB], cancellationToken);
        await WaitUntilUpAsync(A, InterfaceA, cancellationToken);
        await WaitUntilUpAsync(B, InterfaceB, cancellationToken);
        _server = await LabServer.StartAsync(B, AddressB);
    }

    private async Task SetUpAsync(NetworkNamespace ns, string device, IPAddress address, CancellationToken cancellationToken)
    {
        await _commands.RunCheckedAsync(ns, "ip", ["link", "set", "lo", "up"], cancellationToken);
        await _commands.RunCheckedAsync(ns, "ip", ["address", "add", $"{address}/{LabSubnet.PrefixLength}", "dev", device], cancellationToken);
        await _commands.RunCheckedAsync(ns, "ip", ["link", "set", device, "up"], cancellationToken);
    }

    /// <summary>
    /// Until the kernel has seen the carrier (operstate UP), the device still has the noop qdisc, which drops
    /// everything: a first measurement taken earlier would report loss that no fault caused.
    /// </summary>
    private async Task WaitUntilUpAsync(NetworkNamespace ns, string device, CancellationToken cancellationToken)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(LinkUpTimeout);
        while (true)
        {
            var shown = await _commands.RunCheckedAsync(ns, "ip", ["-j", "link", "show", "dev", device], cancellationToken);
            using var document = JsonDocument.Parse(shown.Output);
            if (document.RootElement[0].GetProperty("operstate").GetString() == "UP")
            {
                return;
            }

            try
            {
                await Task.Delay(TimeSpan.FromMilliseconds(20), deadline.Token);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                throw new TimeoutException($"{device} in {ns} not up within {LinkUpTimeout.TotalSeconds} s: {shown.Output}");
            }
        }
    }
}
