using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using Faultline.Plugins.Network.Host;
using Faultline.Plugins.Network.Namespaces;

namespace Faultline.Bench.Network;

/// <summary>
/// Two fresh namespaces, fl-bench-a-TOKEN (where faults go and probes start) and fl-bench-b-TOKEN (a UDP echo
/// server), joined by a veth pair on 10.201.0.0/30. Disposing deletes both, and with them every qdisc and rule.
/// </summary>
internal sealed class BenchLab : IAsyncDisposable
{
    public const int EchoPort = 7007;
    public const string Prefix = "fl-bench-";

    private readonly HostCommands _commands = new();
    private Socket? _echo;
    private Thread? _echoThread;

    private BenchLab(string token)
    {
        NameA = $"{Prefix}a-{token}";
        NameB = $"{Prefix}b-{token}";
        A = NetworkNamespace.Named(NameA);
        B = NetworkNamespace.Named(NameB);
        InterfaceA = $"flb{token}a";
        InterfaceB = $"flb{token}b";
    }

    public string NameA { get; }

    public string NameB { get; }

    public NetworkNamespace A { get; }

    public NetworkNamespace B { get; }

    public string InterfaceA { get; }

    public string InterfaceB { get; }

    public IPAddress AddressA { get; } = IPAddress.Parse("10.201.0.1");

    public IPAddress AddressB { get; } = IPAddress.Parse("10.201.0.2");

    public HostCommands Commands => _commands;

    public static async Task<BenchLab> CreateAsync(CancellationToken cancellationToken)
    {
        await SweepAsync(cancellationToken);
        var lab = new BenchLab(RandomNumberGenerator.GetString("abcdefghijklmnopqrstuvwxyz0123456789", 6));
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

    /// <summary>Runs a command in a namespace and throws with its stderr when it fails.</summary>
    public Task<CommandResult> RunAsync(NetworkNamespace ns, string commandLine, CancellationToken cancellationToken, string? input = null)
    {
        var words = HostCommands.Words(commandLine);
        return _commands.RunCheckedAsync(ns, words[0], words[1..], cancellationToken, input);
    }

    public async ValueTask DisposeAsync()
    {
        _echo?.Dispose();
        _echoThread?.Join(TimeSpan.FromSeconds(2));
        foreach (var name in new[] { NameA, NameB })
        {
            if (File.Exists($"/run/netns/{name}"))
            {
                var deleted = await _commands.RunAsync(NetworkNamespace.Current, "ip", ["netns", "delete", name], CancellationToken.None);
                if (!deleted.Succeeded)
                {
                    await Console.Error.WriteLineAsync($"cleanup: {deleted}");
                }
            }
        }
    }

    /// <summary>Deletes the fl-bench-* namespaces that an interrupted run left behind.</summary>
    private static async Task SweepAsync(CancellationToken cancellationToken)
    {
        if (!Directory.Exists("/run/netns"))
        {
            return;
        }

        var commands = new HostCommands();
        foreach (var path in Directory.GetFiles("/run/netns", $"{Prefix}*"))
        {
            await commands.RunAsync(NetworkNamespace.Current, "ip", ["netns", "delete", Path.GetFileName(path)], cancellationToken);
        }
    }

    private async Task BuildAsync(CancellationToken cancellationToken)
    {
        var host = NetworkNamespace.Current;
        await RunAsync(host, $"ip netns add {NameA}", cancellationToken);
        await RunAsync(host, $"ip netns add {NameB}", cancellationToken);
        await RunAsync(host, $"ip -n {NameA} link add {InterfaceA} type veth peer name {InterfaceB} netns {NameB}", cancellationToken);
        foreach (var (ns, device, address) in new[] { (A, InterfaceA, AddressA), (B, InterfaceB, AddressB) })
        {
            await RunAsync(ns, "ip link set lo up", cancellationToken);
            await RunAsync(ns, $"ip address add {address}/30 dev {device}", cancellationToken);
            await RunAsync(ns, $"ip link set {device} up", cancellationToken);
        }

        // The socket belongs to B for its whole life; the thread serving it can live anywhere.
        _echo = await B.RunAsync(() =>
        {
            var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
            socket.Bind(new IPEndPoint(AddressB, EchoPort));
            return socket;
        });
        var echo = _echo;
        _echoThread = new Thread(() => Echo(echo)) { IsBackground = true, Name = "echo in B" };
        _echoThread.Start();
    }

    private static void Echo(Socket socket)
    {
        var buffer = new byte[64];
        EndPoint from = new IPEndPoint(IPAddress.Any, 0);
        while (true)
        {
            try
            {
                var length = socket.ReceiveFrom(buffer, ref from);
                socket.SendTo(buffer.AsSpan(0, length), SocketFlags.None, from);
            }
            catch (SocketException exception) when (exception.SocketErrorCode is not SocketError.Interrupted and not SocketError.OperationAborted)
            {
                // An ICMP error for an earlier reply: keep serving.
            }
            catch (Exception exception) when (exception is ObjectDisposedException or SocketException)
            {
                return;
            }
        }
    }
}
