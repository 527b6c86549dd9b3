using System.Diagnostics.CodeAnalysis;

namespace Faultline.Sdk.Versioning;

/// <summary>
/// A range in NuGet's interval notation: <c>[1.0.0, 2.0.0)</c>, <c>(1.0,]</c>, <c>[1.2.3]</c>, or a bare
/// <c>1.0.0</c> meaning "1.0.0 or later". Plugins state the SDK contract versions they were built for.
/// </summary>
public sealed record VersionRange(SemanticVersion? Minimum, bool MinimumInclusive, SemanticVersion? Maximum, bool MaximumInclusive)
{
    public bool Contains(SemanticVersion version)
    {
        if (Minimum is { } min && (MinimumInclusive ? version < min : version <= min))
        {
            return false;
        }

        return Maximum is not { } max || (MaximumInclusive ? version <= max : version < max);
    }

    public static VersionRange Parse(string text) =>
        TryParse(text, out var range) ? range : throw new FormatException($"'{text}' is not a version range such as [1.0.0, 2.0.0).");

    public static bool TryParse([NotNullWhen(true)] string? text, [NotNullWhen(true)] out VersionRange? range)
    {
        range = null;
        var value = text?.Trim();
        if (string.IsNullOrEmpty(value))
        {
            return false;
        }

        if (value[0] is not ('[' or '('))
        {
            if (!SemanticVersion.TryParse(value, out var minimum))
            {
                return false;
            }

            range = new VersionRange(minimum, true, null, false);
            return true;
        }

        if (value.Length < 3 || value[^1] is not (']' or ')'))
        {
            return false;
        }

        var minInclusive = value[0] == '[';
        var maxInclusive = value[^1] == ']';
        var inner = value[1..^1];
        var comma = inner.IndexOf(',', StringComparison.Ordinal);
        if (comma < 0)
        {
            // [1.2.3] means exactly that version.
            if (!minInclusive || !maxInclusive || !SemanticVersion.TryParse(inner, out var exact))
            {
                return false;
            }

            range = new VersionRange(exact, true, exact, true);
            return true;
        }

        var lowText = inner[..comma].Trim();
        var highText = inner[(comma + 1)..].Trim();
        SemanticVersion? low = null;
        SemanticVersion? high = null;
        if (lowText.Length > 0)
        {
            if (!SemanticVersion.TryParse(lowText, out var parsed))
            {
                return false;
            }

            low = parsed;
        }

        if (highText.Length > 0)
        {
            if (!SemanticVersion.TryParse(highText, out var parsed))
            {
                return false;
            }

            high = parsed;
        }

        if (low is null && high is null)
        {
            return false;
        }

        range = new VersionRange(low, minInclusive, high, maxInclusive);
        return true;
    }

    public override string ToString()
    {
        if (Minimum is { } min && Maximum is null && MinimumInclusive)
        {
            return min.ToString();
        }

        return $"{(MinimumInclusive ? '[' : '(')}{Minimum}, {Maximum}{(MaximumInclusive ? ']' : ')')}";
    }
}
