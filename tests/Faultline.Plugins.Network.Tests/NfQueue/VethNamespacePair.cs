using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using Faultline.Plugins.Network.Host;
using Faultline.Plugins.Network.Namespaces;

namespace Faultline.Plugins.Network.Tests.NfQueue;

/// <summary>
/// Two network namespaces made for one test (fl-nfq-RANDOM-a and -b), joined by a veth pair with addresses in
/// 10.200.X.Y/30; traffic from A to B is what the tests delay. Both namespaces go away on dispose, whatever the
/// test did, and with them the veth pair and every iptables rule inside.
/// </summary>
internal sealed class VethNamespacePair : IAsyncDisposable
{
    public const string Interface = "veth0";
    public const string RuleComment = "faultline:test";

    private readonly HostCommands _commands = new(TimeSpan.FromSeconds(30));
    private readonly List<string> _created = [];

    private VethNamespacePair(string name, string addressA, string addressB)
    {
        NameA = $"{name}-a";
        NameB = $"{name}-b";
        AddressA = addressA;
        AddressB = addressB;
    }

    public string NameA { get; }

    public string NameB { get; }

    public NetworkNamespace A => NetworkNamespace.Named(NameA);

    public NetworkNamespace B => NetworkNamespace.Named(NameB);

    public string AddressA { get; }

    public string AddressB { get; }

    public static async Task<VethNamespacePair> CreateAsync(CancellationToken cancellationToken)
    {
        RootRequirement.Require();
        var name = $"fl-nfq-{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(3))}";
        var subnet = Random.Shared.Next(0, 256);
        var block = Random.Shared.Next(0, 64) * 4;
        var pair = new VethNamespacePair(
            name,
            string.Create(CultureInfo.InvariantCulture, $"10.200.{subnet}.{block + 1}"),
            string.Create(CultureInfo.InvariantCulture, $"10.200.{subnet}.{block + 2}"));
        try
        {
            await pair.SetUpAsync(cancellationToken);
            return pair;
        }
        catch
        {
            await pair.DisposeAsync();
            throw;
        }
    }

    /// <summary>A free-looking queue number in 10000–60000, so parallel runs and other users of NFQUEUE do not meet.</summary>
    public static ushort RandomQueueNumber() => (ushort)Random.Shared.Next(10000, 60001);

    /// <summary>
    /// Pings B from A (<c>ping -c COUNT -i INTERVAL -W 2</c>) and parses every round trip. With a
    /// <paramref name="deadlineSeconds"/> (<c>-w</c>) ping waits for every answer until then; without one it stops
    /// waiting about twice the slowest round trip it has seen after the last request.
    /// </summary>
    public async Task<PingMeasurement> PingAsync(CancellationToken cancellationToken, int count = 40, string interval = "0.05", int preload = 0, int deadlineSeconds = 0)
    {
        List<string> arguments = ["-n", "-c", count.ToString(CultureInfo.InvariantCulture), "-i", interval, "-W", "2"];
        if (preload > 0)
        {
            arguments.AddRange(["-l", preload.ToString(CultureInfo.InvariantCulture)]);
        }

        if (deadlineSeconds > 0)
        {
            arguments.AddRange(["-w", deadlineSeconds.ToString(CultureInfo.InvariantCulture)]);
        }

        arguments.Add(AddressB);
        var result = await _commands.RunAsync(A, "ping", arguments, cancellationToken);
        var measurement = PingMeasurement.Parse(result.Output);
        TestContext.Current.TestOutputHelper?.WriteLine($"{result.CommandLine}: {measurement}");
        return measurement;
    }

    /// <summary>
    /// A UDP socket created inside <paramref name="ns"/> (so it sends and receives there, whichever thread uses
    /// it later), bound to <paramref name="address"/> and <paramref name="port"/> when given.
    /// </summary>
    public static Task<Socket> OpenUdpSocketAsync(NetworkNamespace ns, string? address = null, int port = 0) =>
        ns.RunAsync(() =>
        {
            var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
            if (address is not null)
            {
                socket.Bind(new IPEndPoint(IPAddress.Parse(address), port));
            }

            return socket;
        });

    /// <summary>Sends what A transmits on the veth to <paramref name="queueNumber"/>, passing packets on when nobody listens.</summary>
    public Task AddQueueRuleAsync(ushort queueNumber, CancellationToken cancellationToken) =>
        _commands.RunCheckedAsync(A, "iptables", QueueRule("-A", queueNumber), cancellationToken);

    public Task RemoveQueueRuleAsync(ushort queueNumber, CancellationToken cancellationToken) =>
        _commands.RunCheckedAsync(A, "iptables", QueueRule("-D", queueNumber), cancellationToken);

    /// <summary>The kernel's counters for <paramref name="queueNumber"/> in A; null when nobody binds it.</summary>
    public async Task<KernelQueueCounters?> ReadQueueCountersAsync(ushort queueNumber, CancellationToken cancellationToken)
    {
        var result = await _commands.RunCheckedAsync(A, "cat", ["/proc/net/netfilter/nfnetlink_queue"], cancellationToken);
        return KernelQueueCounters.Find(result.Output, queueNumber);
    }

    public async ValueTask DisposeAsync()
    {
        // Not the test's token: cleanup must run even when the test was cancelled.
        var failures = new List<string>();
        foreach (var name in Enumerable.Reverse(_created))
        {
            var result = await _commands.RunAsync(NetworkNamespace.Current, "ip", ["netns", "del", name], CancellationToken.None);
            if (!result.Succeeded)
            {
                failures.Add(result.ToString());
            }
        }

        _created.Clear();
        if (failures.Count > 0)
        {
            throw new InvalidOperationException($"Namespaces left behind: {string.Join("; ", failures)}");
        }
    }

    private static string[] QueueRule(string operation, ushort queueNumber) =>
    [
        "-w", "5", "-t", "mangle", operation, "OUTPUT", "-o", Interface,
        "-m", "comment", "--comment", RuleComment,
        "-j", "NFQUEUE", "--queue-num", queueNumber.ToString(CultureInfo.InvariantCulture), "--queue-bypass",
    ];

    private async Task SetUpAsync(CancellationToken cancellationToken)
    {
        foreach (var name in new[] { NameA, NameB })
        {
            await _commands.RunCheckedAsync(NetworkNamespace.Current, "ip", ["netns", "add", name], cancellationToken);
            _created.Add(name);
        }

        // Made inside A with its peer moved straight to B: nothing ever appears in this process's namespace.
        await _commands.RunCheckedAsync(NetworkNamespace.Current, "ip", ["-n", NameA, "link", "add", Interface, "type", "veth", "peer", "name", Interface, "netns", NameB], cancellationToken);
        foreach (var (name, address) in new[] { (NameA, AddressA), (NameB, AddressB) })
        {
            await _commands.RunCheckedAsync(NetworkNamespace.Current, "ip", ["-n", name, "addr", "add", $"{address}/30", "dev", Interface], cancellationToken);
            await _commands.RunCheckedAsync(NetworkNamespace.Current, "ip", ["-n", name, "link", "set", Interface, "up"], cancellationToken);
            await _commands.RunCheckedAsync(NetworkNamespace.Current, "ip", ["-n", name, "link", "set", "lo", "up"], cancellationToken);
        }
    }
}
