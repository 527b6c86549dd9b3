using System.Security.Cryptography;
using System.Text;

namespace Faultline.Domain.Tenancy;

/// <summary>
/// The secret form of an API key: <c>flk_&lt;lookup&gt;_&lt;secret&gt;</c>. The lookup part finds the row
/// without scanning; only the SHA-256 of the whole token is stored. The secret carries 256 random bits,
/// so a fast hash is enough: nothing can be guessed by brute force that a slow hash would protect.
/// </summary>
public sealed class ApiKeyToken
{
    public const string Scheme = "flk";
    private const int LookupLength = 12;
    private const string LookupAlphabet = "abcdefghijkmnpqrstuvwxyz23456789";

    private ApiKeyToken(string lookup, string value)
    {
        Lookup = lookup;
        Value = value;
    }

    /// <summary>The non-secret lookup prefix stored in clear (also shown in key listings).</summary>
    public string Lookup { get; }

    /// <summary>The whole token, shown to the user once.</summary>
    public string Value { get; }

    public static ApiKeyToken Create()
    {
        var lookup = RandomNumberGenerator.GetString(LookupAlphabet, LookupLength);
        var secret = Base64UrlEncode(RandomNumberGenerator.GetBytes(32));
        return new ApiKeyToken(lookup, $"{Scheme}_{lookup}_{secret}");
    }

    /// <summary>Parses a presented token; returns null for anything that is not shaped like one of ours.</summary>
    public static ApiKeyToken? TryParse(string? presented)
    {
        if (string.IsNullOrEmpty(presented) || presented.Length > 128)
        {
            return null;
        }

        var parts = presented.Split('_', 3);
        if (parts.Length != 3 || parts[0] != Scheme || parts[1].Length != LookupLength || parts[2].Length < 32)
        {
            return null;
        }

        return new ApiKeyToken(parts[1], presented);
    }

    public byte[] Hash() => SHA256.HashData(Encoding.UTF8.GetBytes(Value));

    /// <summary>Constant-time comparison against a stored hash.</summary>
    public bool Matches(byte[] storedHash) => CryptographicOperations.FixedTimeEquals(Hash(), storedHash);

    private static string Base64UrlEncode(byte[] bytes) =>
        Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
