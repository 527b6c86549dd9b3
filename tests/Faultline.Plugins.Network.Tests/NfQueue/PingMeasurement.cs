using System.Globalization;
using System.Text.RegularExpressions;

namespace Faultline.Plugins.Network.Tests.NfQueue;

/// <summary>What one ping run measured: packets sent and answered, and each answer's round-trip time in ms.</summary>
/// <param name="Transmitted">Echo requests sent.</param>
/// <param name="Received">Echo replies counted by ping (duplicates aside).</param>
/// <param name="RoundTripsMs">Every answer's round trip, in ms, in ascending order.</param>
/// <param name="AnsweredSequences">The icmp_seq of every request that was answered.</param>
internal sealed partial record PingMeasurement(int Transmitted, int Received, IReadOnlyList<double> RoundTripsMs, IReadOnlySet<int> AnsweredSequences)
{
    public double LossPercent => Transmitted == 0 ? 100 : 100.0 * (Transmitted - Received) / Transmitted;

    public double Median => Percentile(50);

    /// <summary>p90 − p10 of the round trips: how far the delays spread.</summary>
    public double Spread => Percentile(90) - Percentile(10);

    public static PingMeasurement Parse(string output)
    {
        var summary = SummaryPattern().Match(output);
        if (!summary.Success)
        {
            throw new FormatException($"No ping summary in:\n{output}");
        }

        var replies = ReplyPattern().Matches(output);
        return new PingMeasurement(
            int.Parse(summary.Groups[1].Value, CultureInfo.InvariantCulture),
            int.Parse(summary.Groups[2].Value, CultureInfo.InvariantCulture),
            [.. replies.Select(match => double.Parse(match.Groups[2].Value, CultureInfo.InvariantCulture)).Order()],
            replies.Select(match => int.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture)).ToHashSet());
    }

    /// <summary>Nearest-rank percentile of the round trips.</summary>
    public double Percentile(double percent)
    {
        if (RoundTripsMs.Count == 0)
        {
            return double.NaN;
        }

        var rank = (int)Math.Ceiling(percent / 100 * RoundTripsMs.Count);
        return RoundTripsMs[Math.Clamp(rank - 1, 0, RoundTripsMs.Count - 1)];
    }

    public override string ToString() => string.Create(
        CultureInfo.InvariantCulture,
        $"{Received}/{Transmitted} answered ({LossPercent:F0}% loss), rtt p10 {Percentile(10):F2} / median {Median:F2} / p90 {Percentile(90):F2} / max {Percentile(100):F2} ms");

    [GeneratedRegex(@"(\d+) packets transmitted, (\d+) (?:packets )?received")]
    private static partial Regex SummaryPattern();

    // Duplicates ("(DUP!)") are a second answer to one request and would count a packet twice.
    [GeneratedRegex(@"icmp_seq=(\d+) .*?time=([0-9.]+) ms(?! \(DUP!\))")]
    private static partial Regex ReplyPattern();
}
