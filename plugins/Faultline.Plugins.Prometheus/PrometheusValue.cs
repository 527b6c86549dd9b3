using System.Globalization;
using System.Text.Json;

namespace Faultline.Plugins.Prometheus;

/// <summary>
/// Numbers and instants as the Prometheus HTTP API writes them: sample values are strings (so that <c>NaN</c>,
/// <c>+Inf</c> and <c>-Inf</c> survive JSON), timestamps and parameters are Unix seconds with a fraction.
/// </summary>
internal static class PrometheusValue
{
    /// <summary>A sample value; NaN is a value like any other (a 0/0 ratio), not a missing one.</summary>
    public static double Sample(JsonElement value)
    {
        var text = value.GetString();
        return text switch
        {
            "NaN" => double.NaN,
            "+Inf" or "Inf" => double.PositiveInfinity,
            "-Inf" => double.NegativeInfinity,
            _ when double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var number) => number,
            _ => throw new FormatException($"'{text}' is not a sample value."),
        };
    }

    /// <summary>A sample's instant, to the millisecond (Prometheus' own resolution).</summary>
    public static DateTimeOffset Timestamp(JsonElement value) =>
        DateTimeOffset.FromUnixTimeMilliseconds((long)Math.Round(value.GetDecimal() * 1000m, MidpointRounding.AwayFromZero));

    public static string Seconds(DateTimeOffset instant) =>
        (instant.ToUnixTimeMilliseconds() / 1000m).ToString("0.###", CultureInfo.InvariantCulture);

    public static string Seconds(TimeSpan duration) => duration.TotalSeconds.ToString("0.######", CultureInfo.InvariantCulture);

    /// <summary>A duration parameter (<c>timeout</c>) in Prometheus' own grammar, rounded up to the millisecond.</summary>
    public static string Duration(TimeSpan duration) =>
        string.Create(CultureInfo.InvariantCulture, $"{(long)Math.Ceiling(duration.TotalMilliseconds)}ms");

    /// <summary>A duration for people: <c>5 s</c>, <c>0.5 s</c>.</summary>
    public static string Describe(TimeSpan duration) => duration.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture) + " s";
}
