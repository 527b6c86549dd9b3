using System.Security.Cryptography;
using System.Text;

namespace Faultline.Domain.Tenancy;

/// <summary>
/// The shape shared by every secret token Faultline issues: <c>&lt;scheme&gt;_&lt;lookup&gt;_&lt;secret&gt;</c>. The lookup
/// part finds the row without scanning; only the SHA-256 of the whole token is stored. The secret carries 256
/// random bits, so a fast hash is enough: nothing can be guessed by brute force that a slow hash would protect.
/// The scheme differs per kind (API keys, agent tokens), so one kind is never mistaken for the other.
/// </summary>
public abstract class BearerToken
{
    protected const int LookupLength = 12;
    private const string LookupAlphabet = "abcdefghijkmnpqrstuvwxyz23456789";

    protected BearerToken(string lookup, string value)
    {
        Lookup = lookup;
        Value = value;
    }

    /// <summary>The non-secret lookup prefix stored in clear (also shown in listings).</summary>
    public string Lookup { get; }

    /// <summary>The whole token, shown to the user once.</summary>
    public string Value { get; }

    public byte[] Hash() => SHA256.HashData(Encoding.UTF8.GetBytes(Value));

    /// <summary>Constant-time comparison against a stored hash.</summary>
    public bool Matches(byte[] storedHash) => CryptographicOperations.FixedTimeEquals(Hash(), storedHash);

    /// <summary>A new (lookup, whole token) pair for <paramref name="scheme"/>.</summary>
    protected static (string Lookup, string Value) Generate(string scheme)
    {
        var lookup = RandomNumberGenerator.GetString(LookupAlphabet, LookupLength);
        var secret = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        return (lookup, $"{scheme}_{lookup}_{secret}");
    }

    /// <summary>The lookup of a presented token of <paramref name="scheme"/>, or null for anything not shaped like one.</summary>
    protected static string? ParseLookup(string scheme, string? presented)
    {
        if (string.IsNullOrEmpty(presented) || presented.Length > 128)
        {
            return null;
        }

        var parts = presented.Split('_', 3);
        return parts.Length != 3 || parts[0] != scheme || parts[1].Length != LookupLength || parts[2].Length < 32
            ? null
            : parts[1];
    }
}
