using System.Text.RegularExpressions;

namespace Faultline.Domain.Secrets;

/// <summary>
/// Secret names are slugs: they appear in URLs (<c>/teams/{id}/secrets/{name}</c>) and in experiment documents,
/// so they are kept to characters that need no escaping in either.
/// </summary>
public static partial class SecretNames
{
    public const int MaxLength = 63;

    public const string Rule = "must be 1 to 63 lower-case letters, digits and dashes, starting and ending with a letter or digit.";

    public static bool IsValid(string? name) => name is not null && Pattern().IsMatch(name);

    [GeneratedRegex("^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$", RegexOptions.CultureInvariant)]
    private static partial Regex Pattern();
}
