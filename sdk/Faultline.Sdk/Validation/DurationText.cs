using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Text.RegularExpressions;

namespace Faultline.Sdk.Validation;

/// <summary>
/// Durations as experiments write them (<c>200ms</c>, <c>1.5s</c>, <c>1m30s</c>; units ns, us, µs, ms, s, m, h).
/// The one grammar of Faultline: the host reads experiments with it and plugins validate their parameters with
/// it; <see cref="Pattern"/> is the same grammar for JSON Schemas, so a schema and its validation agree.
/// A bare number is refused: "200" could mean anything.
/// </summary>
public static partial class DurationText
{
    /// <summary>
    /// ASCII digits only, as in the ECMAScript regular expressions of JSON Schema; no backslashes, so the pattern
    /// drops into the schema's JSON text unescaped.
    /// </summary>
    public const string Pattern = "^([0-9]+([.][0-9]+)?(ns|us|µs|ms|s|m|h))+$";

    public static bool TryParse([NotNullWhen(true)] string? text, out TimeSpan duration)
    {
        duration = TimeSpan.Zero;
        if (text is null || !Whole().IsMatch(text))
        {
            return false;
        }

        double ticks = 0;
        foreach (Match part in Part().Matches(text))
        {
            var number = double.Parse(part.Groups["n"].Value, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture);
            ticks += number * part.Groups["u"].Value switch
            {
                "ns" => TimeSpan.TicksPerMillisecond / 1_000_000d,
                "us" or "µs" => TimeSpan.TicksPerMillisecond / 1_000d,
                "ms" => TimeSpan.TicksPerMillisecond,
                "s" => TimeSpan.TicksPerSecond,
                "m" => TimeSpan.TicksPerMinute,
                _ => TimeSpan.TicksPerHour,
            };
        }

        if (ticks >= TimeSpan.MaxValue.Ticks)
        {
            return false;
        }

        duration = TimeSpan.FromTicks((long)ticks);
        return true;
    }

    // Pattern with \z: .NET's $ also matches before a trailing newline, which ECMAScript's does not.
    [GeneratedRegex("^([0-9]+([.][0-9]+)?(ns|us|µs|ms|s|m|h))+\\z", RegexOptions.CultureInvariant)]
    private static partial Regex Whole();

    [GeneratedRegex("(?<n>[0-9]+(?:[.][0-9]+)?)(?<u>ns|us|µs|ms|s|m|h)", RegexOptions.CultureInvariant)]
    private static partial Regex Part();
}
