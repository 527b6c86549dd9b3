namespace Faultline.Domain.Tenancy;

/// <summary>The secret form of an API key: <c>flk_&lt;lookup&gt;_&lt;secret&gt;</c> (see <see cref="BearerToken"/>).</summary>
public sealed class ApiKeyToken : BearerToken
{
    public const string Scheme = "flk";

    private ApiKeyToken(string lookup, string value)
        : base(lookup, value)
    {
    }

    public static ApiKeyToken Create()
    {
        var (lookup, value) = Generate(Scheme);
        return new ApiKeyToken(lookup, value);
    }

    /// <summary>Parses a presented token; returns null for anything that is not shaped like one of ours.</summary>
    public static ApiKeyToken? TryParse(string? presented) =>
        ParseLookup(Scheme, presented) is { } lookup ? new ApiKeyToken(lookup, presented!) : null;
}
