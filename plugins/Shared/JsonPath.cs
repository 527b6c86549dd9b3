using System.Globalization;
using System.Text.RegularExpressions;

namespace Faultline.Plugins.Shared;

/// <summary>
/// JSON paths for validation errors, written as the host writes them: <c>$.url</c>, <c>$.expectStatus[1]</c>,
/// and brackets for names that are not identifiers (<c>$.headers['X-Api-Key']</c>).
/// </summary>
internal static partial class JsonPath
{
    public const string Root = "$";

    public static string Property(string parent, string name) =>
        Identifier().IsMatch(name)
            ? $"{parent}.{name}"
            : $"{parent}['{name.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("'", "\\'", StringComparison.Ordinal)}']";

    public static string Index(string parent, int index) => string.Create(CultureInfo.InvariantCulture, $"{parent}[{index}]");

    [GeneratedRegex("^[A-Za-z_][A-Za-z0-9_]*\\z", RegexOptions.CultureInvariant)]
    private static partial Regex Identifier();
}
