using System.Text.RegularExpressions;
using Faultline.Plugins.Network.Host;
using Faultline.Plugins.Network.Namespaces;

namespace Faultline.Plugins.Network.Tests.Lab;

/// <summary>
/// Removes lab namespaces (<c>fl-ROLE-TOKEN</c>) that a crashed or killed test run left behind: a lab deletes its
/// own on dispose, but not when the process dies. Age is the namespace file's time in /run/netns (the nsfs inode
/// bound there, stamped when <c>ip netns add</c> made it); a live lab is never an hour old, so a sweep cannot pull
/// the namespace from under a test running in parallel, even in another process.
/// </summary>
public static partial class LabSweeper
{
    public const string NamespaceDirectory = "/run/netns";

    public static TimeSpan DefaultAge { get; } = TimeSpan.FromHours(1);

    /// <summary>Deletes lab namespaces older than <paramref name="olderThan"/>; returns the names it removed.</summary>
    public static Task<IReadOnlyList<string>> SweepAsync(TimeSpan olderThan, CancellationToken cancellationToken) =>
        SweepAsync(olderThan, _ => true, cancellationToken);

    /// <summary>As <see cref="SweepAsync(TimeSpan, CancellationToken)"/>, limited to lab names <paramref name="only"/> accepts.</summary>
    public static async Task<IReadOnlyList<string>> SweepAsync(TimeSpan olderThan, Func<string, bool> only, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(only);
        if (!Directory.Exists(NamespaceDirectory))
        {
            return [];
        }

        var cutoff = DateTime.UtcNow - olderThan;
        var commands = new HostCommands();
        var removed = new List<string>();
        foreach (var path in Directory.EnumerateFiles(NamespaceDirectory, "fl-*"))
        {
            var name = Path.GetFileName(path);
            if (!IsLabName(name) || !only(name) || File.GetLastWriteTimeUtc(path) > cutoff)
            {
                continue;
            }

            // Failures (already gone, raced by another sweeper) are left for the next sweep: sweeping is best effort.
            var result = await commands.RunAsync(NetworkNamespace.Current, "ip", ["netns", "delete", name], cancellationToken);
            if (result.Succeeded)
            {
                removed.Add(name);
            }
        }

        return removed;
    }

    public static bool IsLabName(string name) => LabName().IsMatch(name);

    [GeneratedRegex("^fl-[a-z]+-[a-z0-9]+$")]
    private static partial Regex LabName();
}
