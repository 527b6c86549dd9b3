using System.Diagnostics;
using System.Globalization;

namespace Faultline.Tests.Agents;

/// <summary>
/// A network namespace for an agent, joined to the host by a veth pair on a /30 of 10.251.x.y, so the agent
/// reaches the control plane only through that link and a test can cut it (iptables DROP inside the namespace)
/// without touching anything else. Created and removed by the test; root only (the test says so otherwise).
/// </summary>
internal sealed class AgentNetwork : IAsyncDisposable
{
    private AgentNetwork(string name, string hostInterface, string hostAddress, string agentAddress)
    {
        Name = name;
        HostInterface = hostInterface;
        HostAddress = hostAddress;
        AgentAddress = agentAddress;
    }

    public string Name { get; }

    public string HostInterface { get; }

    /// <summary>The host's end of the link: where the control plane listens for this agent.</summary>
    public string HostAddress { get; }

    public string AgentAddress { get; }

    public static async Task<AgentNetwork> CreateAsync()
    {
        if (!OperatingSystem.IsLinux() || Environment.UserName != "root")
        {
            Assert.Skip("needs root on Linux to create a network namespace for the agent (CI runs as root)");
        }

        var suffix = Random.Shared.Next(1, 60).ToString(CultureInfo.InvariantCulture);
        var block = Random.Shared.Next(0, 64) * 4;
        var name = $"fl-agent-{Environment.ProcessId % 10000}-{suffix}";
        var hostInterface = $"fla{Environment.ProcessId % 10000}h{suffix}";
        var agentInterface = $"fla{Environment.ProcessId % 10000}a{suffix}";
        var network = new AgentNetwork(name, hostInterface, $"10.251.{suffix}.{block + 1}", $"10.251.{suffix}.{block + 2}");
        await RunAsync("ip", "netns", "add", name);
        await RunAsync("ip", "link", "add", hostInterface, "type", "veth", "peer", "name", agentInterface);
        await RunAsync("ip", "link", "set", agentInterface, "netns", name);
        await RunAsync("ip", "addr", "add", $"{network.HostAddress}/30", "dev", hostInterface);
        await RunAsync("ip", "link", "set", hostInterface, "up");
        await RunAsync("ip", "netns", "exec", name, "ip", "addr", "add", $"{network.AgentAddress}/30", "dev", agentInterface);
        await RunAsync("ip", "netns", "exec", name, "ip", "link", "set", agentInterface, "up");
        await RunAsync("ip", "netns", "exec", name, "ip", "link", "set", "lo", "up");
        return network;
    }

    /// <summary>Cuts the agent off from the control plane: every packet it sends to the host's end is dropped.</summary>
    public Task PartitionAsync() => RunAsync("ip", "netns", "exec", Name, "iptables", "-A", "OUTPUT", "-d", HostAddress, "-j", "DROP");

    public async ValueTask DisposeAsync()
    {
        // Deleting the namespace deletes its end of the veth pair, and with it the host's end and the DROP rule.
        await RunAsync("ip", "netns", "delete", Name);
    }

    private static async Task RunAsync(string file, params string[] arguments)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var error = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        Assert.True(process.ExitCode == 0, $"{file} {string.Join(' ', arguments)} failed: {error}");
    }
}
