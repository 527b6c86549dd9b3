namespace Faultline.Plugins.Network.Tests.Lab;

/// <summary>
/// What a lab test needs from the machine: root (namespaces, tc, firewall rules) and a few programs. A test that
/// cannot have them ends here: skipped with the reason on a developer machine, failed under <c>CI=true</c>,
/// where a skip would pass silently what was never measured.
/// </summary>
public static class LabRequirements
{
    private static readonly string[] SystemDirectories = ["/usr/sbin", "/sbin", "/usr/bin", "/bin"];

    /// <summary>Ends the test unless the process is root and every program in <paramref name="tools"/> is on the PATH.</summary>
    public static void Require(params string[] tools)
    {
        ArgumentNullException.ThrowIfNull(tools);
        if (!Environment.IsPrivilegedProcess)
        {
            Unavailable("the network lab needs root (network namespaces, veth pairs, tc and firewall rules); run the tests as root");
        }

        var missing = tools.Where(tool => FindOnPath(tool) is null).ToList();
        if (missing.Count > 0)
        {
            Unavailable($"the network lab needs {string.Join(", ", missing)} on the PATH: apt-get install -y iproute2 util-linux iputils-ping nftables iptables");
        }
    }

    /// <summary>Skips the test with <paramref name="why"/>, or fails it when <c>CI</c> is "true".</summary>
    public static void Unavailable(string why)
    {
        if (string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase))
        {
            Assert.Fail($"{why} (CI=true requires the network lab tests to run)");
        }

        Assert.Skip(why);
    }

    private static string? FindOnPath(string tool)
    {
        // The commands are started by name, so only what the PATH finds counts; a program present in /usr/sbin but
        // missing from the PATH would fail later with a less clear message, so it is reported as missing here.
        var path = Environment.GetEnvironmentVariable("PATH") ?? string.Join(Path.PathSeparator, SystemDirectories);
        return path.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(directory => Path.Combine(directory, tool))
            .FirstOrDefault(File.Exists);
    }
}
