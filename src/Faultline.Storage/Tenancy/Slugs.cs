using System.Text;

namespace Faultline.Storage.Tenancy;

/// <summary>URL-safe organization handles derived from names.</summary>
public static class Slugs
{
    public static string From(string name)
    {
        var builder = new StringBuilder(name.Length);
        foreach (var c in name.Trim().ToLowerInvariant())
        {
            if (char.IsAsciiLetterOrDigit(c))
            {
                builder.Append(c);
            }
            else if (builder.Length > 0 && builder[^1] != '-')
            {
                builder.Append('-');
            }
        }

        var slug = builder.ToString().Trim('-');
        return slug.Length == 0 ? "org" : slug[..Math.Min(slug.Length, 63)];
    }
}
