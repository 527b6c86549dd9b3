namespace Faultline.Deploy.Tests.Capabilities;

/// <summary>
/// The agent's documented capability list: what the DaemonSet, the chart's values and the systemd unit grant, and
/// what docs/deploy.md explains. Each is there for a named injector; anything more is a grant nobody needs.
/// </summary>
internal static class AgentCapabilities
{
    public static IReadOnlyList<(string Name, string Why)> Documented { get; } =
    [
        ("NET_ADMIN", "network.*: tc qdiscs, nftables and iptables rules, the NFQUEUE netlink socket"),
        ("SYS_ADMIN", "network.*: setns(2) into a target's network namespace, ip netns add for the engine probe"),
        ("SYS_PTRACE", "network.* with netns pid:N: the kernel checks ptrace access to open /proc/<pid>/ns/net of another user's process"),
        ("KILL", "process.pause: SIGSTOP/SIGCONT to processes of other users, and its watchdog's SIGCONT"),
    ];

    /// <summary>The names as Kubernetes writes them (no CAP_ prefix).</summary>
    public static IReadOnlyList<string> Names { get; } = [.. Documented.Select(capability => capability.Name)];

    /// <summary>The names as systemd and the injectors' HostRequirements write them.</summary>
    public static IReadOnlyList<string> LinuxNames { get; } = [.. Names.Select(name => $"CAP_{name}")];
}
