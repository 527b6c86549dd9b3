using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using Faultline.Plugins.Network.Host;
using Faultline.Plugins.Network.Namespaces;

namespace Faultline.Plugins.Network.Tests.Seed;

/// <summary>
/// The seed's payment-service as a target: a network namespace joined to the host by a veth pair, running a
/// tiny HTTP service, listed in a static inventory as a pod labelled app: payment-service in payment-prod.
/// </summary>
internal sealed class PaymentServiceNamespace : IAsyncDisposable
{
    private readonly HostCommands _commands = new();
    private readonly CancellationTokenSource _stop = new();
    private Socket? _listener;

    private PaymentServiceNamespace(string token)
    {
        Name = $"fl-pay-{token}";
        HostInterface = $"flp{token}h";
        PodInterface = $"flp{token}p";
        var third = RandomNumberGenerator.GetInt32(1, 250);
        var fourth = RandomNumberGenerator.GetInt32(0, 63) * 4;
        HostAddress = IPAddress.Parse(string.Create(CultureInfo.InvariantCulture, $"10.201.{third}.{fourth + 1}"));
        PodAddress = IPAddress.Parse(string.Create(CultureInfo.InvariantCulture, $"10.201.{third}.{fourth + 2}"));
        InventoryPath = Path.Combine(Path.GetTempPath(), $"faultline-inventory-{token}.json");
    }

    public string Name { get; }

    public NetworkNamespace Namespace => NetworkNamespace.Named(Name);

    public string HostInterface { get; }

    public string PodInterface { get; }

    public IPAddress HostAddress { get; }

    public IPAddress PodAddress { get; }

    public string InventoryPath { get; }

    public const int HttpPort = 8080;

    public static async Task<PaymentServiceNamespace> StartAsync()
    {
        var pod = new PaymentServiceNamespace(RandomNumberGenerator.GetString("abcdefghijklmnopqrstuvwxyz0123456789", 6));
        try
        {
            await pod.BuildAsync();
            return pod;
        }
        catch
        {
            await pod.DisposeAsync();
            throw;
        }
    }

    private async Task BuildAsync()
    {
        var host = NetworkNamespace.Current;
        await Run(host, $"ip netns add {Name}");
        await Run(host, $"ip link add {HostInterface} type veth peer name {PodInterface} netns {Name}");
        await Run(host, $"ip addr add {HostAddress}/30 dev {HostInterface}");
        await Run(host, $"ip link set {HostInterface} up");
        await Run(Namespace, $"ip addr add {PodAddress}/30 dev {PodInterface}");
        await Run(Namespace, "ip link set lo up");
        await Run(Namespace, $"ip link set {PodInterface} up");

        // The listener is created inside the pod's namespace and keeps it; serving can happen on any thread.
        _listener = await Namespace.RunAsync(() =>
        {
            var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            socket.Bind(new IPEndPoint(PodAddress, HttpPort));
            socket.Listen(64);
            return socket;
        });
        _ = ServeAsync(_listener, _stop.Token);

        await File.WriteAllTextAsync(InventoryPath, $$"""
            [ { "name": "payment-service-1", "kind": "pod", "namespace": "payment-prod", "labels": { "app": "payment-service" },
                "netns": "{{Name}}", "interface": "{{PodInterface}}" } ]
            """);
    }

    private static async Task ServeAsync(Socket listener, CancellationToken stop)
    {
        var response = Encoding.ASCII.GetBytes("HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok");
        try
        {
            while (!stop.IsCancellationRequested)
            {
                var client = await listener.AcceptAsync(stop);
                _ = Task.Run(async () =>
                {
                    using (client)
                    {
                        var buffer = new byte[4096];
                        await client.ReceiveAsync(buffer, SocketFlags.None, stop);
                        await client.SendAsync(response, SocketFlags.None, stop);
                    }
                }, stop);
            }
        }
        catch (Exception exception) when (exception is OperationCanceledException or SocketException or ObjectDisposedException)
        {
        }
    }

    private async Task Run(NetworkNamespace ns, string commandLine)
    {
        var words = HostCommands.Words(commandLine);
        await _commands.RunCheckedAsync(ns, words[0], words[1..], CancellationToken.None);
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener?.Dispose();
        await _commands.RunAsync(NetworkNamespace.Current, "ip", ["netns", "delete", Name], CancellationToken.None);
        await _commands.RunAsync(NetworkNamespace.Current, "ip", ["link", "delete", HostInterface], CancellationToken.None);
        File.Delete(InventoryPath);
        _stop.Dispose();
    }
}
