using System.Diagnostics.CodeAnalysis;
using System.Globalization;

namespace Faultline.Domain.Experiments;

/// <summary>
/// Durations as Chaos Mesh and Kubernetes write them: <c>300s</c>, <c>200ms</c>, <c>1m30s</c>, <c>1.5h</c>
/// (units ns, us, µs, ms, s, m, h). A bare number is refused: "300" could mean anything.
/// </summary>
public static class Durations
{
    /// <summary>The SDK's grammar, so experiments and plugin parameters read durations alike.</summary>
    public static bool TryParse([NotNullWhen(true)] string? text, out TimeSpan duration) =>
        Sdk.Validation.DurationText.TryParse(text?.Trim(), out duration);

    public static string Format(TimeSpan duration) =>
        duration.TotalMilliseconds < 1000 && duration.Ticks % TimeSpan.TicksPerMillisecond == 0
            ? string.Create(CultureInfo.InvariantCulture, $"{(long)duration.TotalMilliseconds}ms")
            : duration.Ticks % TimeSpan.TicksPerSecond == 0
                ? string.Create(CultureInfo.InvariantCulture, $"{(long)duration.TotalSeconds}s")
                : string.Create(CultureInfo.InvariantCulture, $"{duration.TotalMilliseconds}ms");
}
