using System.Globalization;
using System.Text.RegularExpressions;

namespace Faultline.Domain.Experiments.ChaosMesh;

/// <summary>
/// Builds the JSON paths errors, warnings and the mapping are keyed by. Kubernetes keys often hold dots and
/// slashes (<c>app.kubernetes.io/name</c>), which dot notation would split, so those use bracket notation.
/// </summary>
internal static partial class JsonPaths
{
    public static string Property(string parent, string name) =>
        Identifier().IsMatch(name)
            ? $"{parent}.{name}"
            : $"{parent}['{name.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("'", "\\'", StringComparison.Ordinal)}']";

    public static string Index(string parent, int index) =>
        string.Create(CultureInfo.InvariantCulture, $"{parent}[{index}]");

    [GeneratedRegex("^[A-Za-z_][A-Za-z0-9_]*$")]
    private static partial Regex Identifier();
}
