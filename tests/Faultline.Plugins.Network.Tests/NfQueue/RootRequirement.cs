namespace Faultline.Plugins.Network.Tests.NfQueue;

/// <summary>
/// The kernel tests need root (namespaces, iptables, binding an NFQUEUE) and the ip, iptables, nsenter and ping
/// tools. Without them a test says so and skips, except under CI=true, where a skipped kernel test would hide
/// that the delayer was never exercised, so it fails.
/// </summary>
internal static class RootRequirement
{
    private static readonly string[] Tools = ["ip", "iptables", "nsenter", "ping"];

    public static void Require()
    {
        var missing = new List<string>();
        if (!Environment.IsPrivilegedProcess)
        {
            missing.Add("root");
        }

        missing.AddRange(Tools.Where(tool => !IsOnPath(tool)));
        if (missing.Count == 0)
        {
            return;
        }

        var message = $"NFQUEUE delayer tests need {string.Join(", ", missing)} (network namespaces, iptables and an NFQUEUE bind); run as root with iproute2, iptables, util-linux and iputils-ping installed.";
        if (string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase))
        {
            Assert.Fail($"{message} CI=true requires these tests to run.");
        }

        Assert.Skip(message);
    }

    private static bool IsOnPath(string tool)
    {
        var directories = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries).Concat(["/usr/sbin", "/sbin"]);
        return directories.Any(directory => File.Exists(Path.Combine(directory, tool)));
    }
}
