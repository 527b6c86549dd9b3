using System.Globalization;
using System.Text.RegularExpressions;

namespace Faultline.Plugins.Network.Tests.Lab;

/// <summary>
/// What <c>ping</c> (iputils) saw: echo requests sent, distinct replies, duplicate replies (a duplication fault shows
/// as "(DUP!)") and the RTT of each first reply. The raw output is kept for assertion messages.
/// </summary>
public sealed partial class PingResult
{
    public PingResult(int transmitted, int received, int duplicates, LatencySamples rtt, string output)
    {
        Transmitted = transmitted;
        Received = received;
        Duplicates = duplicates;
        Rtt = rtt;
        Output = output;
    }

    public int Transmitted { get; }

    /// <summary>Distinct echo requests that got a reply (duplicates not counted).</summary>
    public int Received { get; }

    /// <summary>Duplicate replies; ping stops at the last request's first reply, so its duplicate may go uncounted.</summary>
    public int Duplicates { get; }

    public LatencySamples Rtt { get; }

    public string Output { get; }

    public int Lost => Transmitted - Received;

    public double LossRatio => Transmitted == 0 ? throw new InvalidOperationException("ping sent nothing; no loss ratio") : (double)Lost / Transmitted;

    /// <summary>Parses iputils ping output; throws when the statistics line is missing (ping did not run to its end).</summary>
    public static PingResult Parse(string output)
    {
        ArgumentNullException.ThrowIfNull(output);
        var summary = SummaryLine().Match(output);
        if (!summary.Success)
        {
            throw new FormatException($"no statistics line in ping's output:\n{output}");
        }

        var samples = new List<TimeSpan>();
        foreach (Match reply in ReplyLine().Matches(output))
        {
            // A duplicate is the same request answered again: its RTT says nothing new about the path's delay.
            if (!reply.Groups["dup"].Success)
            {
                samples.Add(TimeSpan.FromMilliseconds(double.Parse(reply.Groups["ms"].Value, CultureInfo.InvariantCulture)));
            }
        }

        return new PingResult(
            Number(summary.Groups["sent"]),
            Number(summary.Groups["received"]),
            summary.Groups["duplicates"].Success ? Number(summary.Groups["duplicates"]) : 0,
            new LatencySamples(samples),
            output);
    }

    public override string ToString() =>
        string.Create(CultureInfo.InvariantCulture, $"ping: {Transmitted} sent, {Received} received, +{Duplicates} duplicates, loss {LossRatio:P1}; RTT {Rtt}");

    private static int Number(Group group) => int.Parse(group.Value, CultureInfo.InvariantCulture);

    [GeneratedRegex(@"icmp_seq=\d+\b.*?\btime=(?<ms>[0-9.]+) ms(?<dup> \(DUP!\))?")]
    private static partial Regex ReplyLine();

    [GeneratedRegex(@"(?<sent>\d+) packets transmitted, (?<received>\d+) received(?:, \+(?<duplicates>\d+) duplicates)?")]
    private static partial Regex SummaryLine();
}
