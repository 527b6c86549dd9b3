using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Text.RegularExpressions;

namespace Faultline.Domain.Experiments;

/// <summary>
/// Durations as Chaos Mesh and Kubernetes write them: <c>300s</c>, <c>200ms</c>, <c>1m30s</c>, <c>1.5h</c>
/// (units ns, us, µs, ms, s, m, h). A bare number is refused: "300" could mean anything.
/// </summary>
public static partial class Durations
{
    public static bool TryParse([NotNullWhen(true)] string? text, out TimeSpan duration)
    {
        duration = TimeSpan.Zero;
        if (string.IsNullOrWhiteSpace(text))
        {
            return false;
        }

        var value = text.Trim();
        var matches = Part().Matches(value);
        if (matches.Count == 0 || string.Concat(matches.Select(m => m.Value)) != value)
        {
            return false;
        }

        double ticks = 0;
        foreach (Match match in matches)
        {
            var number = double.Parse(match.Groups["n"].Value, CultureInfo.InvariantCulture);
            ticks += number * match.Groups["u"].Value switch
            {
                "ns" => TimeSpan.TicksPerMillisecond / 1_000_000d,
                "us" or "µs" => TimeSpan.TicksPerMillisecond / 1_000d,
                "ms" => TimeSpan.TicksPerMillisecond,
                "s" => TimeSpan.TicksPerSecond,
                "m" => TimeSpan.TicksPerMinute,
                "h" => TimeSpan.TicksPerHour,
                _ => double.NaN,
            };
        }

        if (double.IsNaN(ticks) || ticks > TimeSpan.MaxValue.Ticks)
        {
            return false;
        }

        duration = TimeSpan.FromTicks((long)ticks);
        return true;
    }

    public static string Format(TimeSpan duration) =>
        duration.TotalMilliseconds < 1000 && duration.Ticks % TimeSpan.TicksPerMillisecond == 0
            ? string.Create(CultureInfo.InvariantCulture, $"{(long)duration.TotalMilliseconds}ms")
            : duration.Ticks % TimeSpan.TicksPerSecond == 0
                ? string.Create(CultureInfo.InvariantCulture, $"{(long)duration.TotalSeconds}s")
                : string.Create(CultureInfo.InvariantCulture, $"{duration.TotalMilliseconds}ms");

    [GeneratedRegex(@"(?<n>\d+(?:\.\d+)?)(?<u>ns|us|µs|ms|s|m|h)")]
    private static partial Regex Part();
}
