using System.Globalization;
using System.Net;
using Faultline.Plugins.Network.Host;
using Faultline.Plugins.Network.Namespaces;

namespace Faultline.Plugins.Network.Tests.Lab;

/// <summary>Runs iputils <c>ping</c> inside a namespace (through nsenter) and parses what it saw.</summary>
public static class PingProbe
{
    /// <summary>
    /// Sends <paramref name="count"/> echo requests <paramref name="interval"/> apart from <paramref name="from"/> to
    /// <paramref name="target"/>, then waits up to <paramref name="linger"/> for the last replies.
    /// </summary>
    public static async Task<PingResult> RunAsync(
        NetworkNamespace from, IPAddress target, int count, TimeSpan interval, TimeSpan linger, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(target);
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        LabRequirements.Require("ping", "nsenter");

        // A firewall drop on the sender's side makes sendmsg fail and ping back off, so the run can take several
        // times count × interval; the deadline only guards against a hung ping.
        var deadline = (interval * count * 5) + linger + TimeSpan.FromSeconds(15);
        var commands = new HostCommands(deadline);
        var arguments = new[]
        {
            "-n",
            "-c", count.ToString(CultureInfo.InvariantCulture),
            "-i", interval.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture),
            "-W", Math.Max(linger.TotalSeconds, 0.001).ToString("0.###", CultureInfo.InvariantCulture),
            target.ToString(),
        };
        var result = await commands.RunAsync(from, "ping", arguments, cancellationToken);

        // Exit code 1 means "some replies missing", which is a measurement, not an error.
        try
        {
            return PingResult.Parse(result.Output);
        }
        catch (FormatException exception)
        {
            throw new InvalidOperationException($"{result}\n{result.Output}", exception);
        }
    }
}
