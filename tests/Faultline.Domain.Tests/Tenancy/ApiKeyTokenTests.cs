using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using Faultline.Domain.Tenancy;

namespace Faultline.Domain.Tests.Tenancy;

public sealed partial class ApiKeyTokenTests
{
    private const string Lookup = "abcdefghjk23";
    private static readonly string Secret = new('x', 43);

    [Fact]
    public void Created_tokens_have_the_flk_lookup_secret_shape()
    {
        var token = ApiKeyToken.Create();

        var match = TokenShape().Match(token.Value);
        Assert.True(match.Success, token.Value);
        Assert.Equal(token.Lookup, match.Groups["lookup"].Value);
        Assert.StartsWith($"{ApiKeyToken.Scheme}_{token.Lookup}_", token.Value, StringComparison.Ordinal);
    }

    [Fact]
    public void A_created_token_parses_back_to_the_same_lookup_value_and_hash()
    {
        var created = ApiKeyToken.Create();

        var parsed = ApiKeyToken.TryParse(created.Value);

        Assert.NotNull(parsed);
        Assert.Equal(created.Lookup, parsed.Lookup);
        Assert.Equal(created.Value, parsed.Value);
        Assert.Equal(created.Hash(), parsed.Hash());
    }

    [Fact]
    public void Every_created_token_parses_even_when_its_secret_contains_underscores()
    {
        // The secret is base64url, so it may contain '_' itself: only the first two separators count.
        var sawUnderscoreInSecret = false;
        for (var i = 0; i < 500; i++)
        {
            var created = ApiKeyToken.Create();
            var secret = created.Value[(ApiKeyToken.Scheme.Length + 1 + created.Lookup.Length + 1)..];
            sawUnderscoreInSecret |= secret.Contains('_', StringComparison.Ordinal);

            var parsed = ApiKeyToken.TryParse(created.Value);

            Assert.NotNull(parsed);
            Assert.Equal(created.Lookup, parsed.Lookup);
        }

        Assert.True(sawUnderscoreInSecret, "500 random secrets without a single '_' is vanishingly unlikely");
    }

    [Fact]
    public void The_hash_is_the_sha256_of_the_whole_token()
    {
        var token = ApiKeyToken.Create();

        Assert.Equal(SHA256.HashData(Encoding.UTF8.GetBytes(token.Value)), token.Hash());
    }

    [Fact]
    public void A_parsed_token_matches_its_stored_hash_and_no_other()
    {
        var created = ApiKeyToken.Create();
        var stored = created.Hash();
        var parsed = ApiKeyToken.TryParse(created.Value)!;

        Assert.True(parsed.Matches(stored));
        Assert.False(ApiKeyToken.Create().Matches(stored));
        Assert.False(parsed.Matches(stored[..^1]));
        Assert.False(parsed.Matches([]));

        var flipped = (byte[])stored.Clone();
        flipped[^1] ^= 0x01;
        Assert.False(parsed.Matches(flipped));
    }

    [Fact]
    public void A_token_with_one_secret_character_changed_does_not_match()
    {
        var created = ApiKeyToken.Create();
        var last = created.Value[^1];
        var tampered = ApiKeyToken.TryParse(created.Value[..^1] + (last == 'A' ? 'B' : 'A'));

        Assert.NotNull(tampered);
        Assert.Equal(created.Lookup, tampered.Lookup);
        Assert.False(tampered.Matches(created.Hash()));
    }

    [Fact]
    public void Two_created_tokens_differ_in_lookup_secret_and_hash()
    {
        var first = ApiKeyToken.Create();
        var second = ApiKeyToken.Create();

        Assert.NotEqual(first.Value, second.Value);
        Assert.NotEqual(first.Lookup, second.Lookup);
        Assert.NotEqual(first.Value[17..], second.Value[17..]);
        Assert.NotEqual(first.Hash(), second.Hash());
    }

    [Fact]
    public void Many_created_tokens_are_all_distinct()
    {
        var values = Enumerable.Range(0, 1000).Select(_ => ApiKeyToken.Create().Value).ToList();

        Assert.Equal(values.Count, values.Distinct(StringComparer.Ordinal).Count());
        Assert.All(values, value => Assert.Matches(TokenShape(), value));
    }

    [Theory]
    [InlineData(32)]
    [InlineData(43)]
    [InlineData(111)] // 4 + 12 + 1 + 111 = 128 characters, the longest accepted
    public void Tokens_of_the_right_shape_and_length_parse(int secretLength)
    {
        var value = $"flk_{Lookup}_{new string('s', secretLength)}";

        var parsed = ApiKeyToken.TryParse(value);

        Assert.NotNull(parsed);
        Assert.Equal(Lookup, parsed.Lookup);
        Assert.Equal(value, parsed.Value);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("flk")]
    [InlineData("flk_")]
    [InlineData("flk__")]
    [InlineData("not a token at all")]
    [InlineData("Bearer flk_abcdefghjk23_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx")]
    [InlineData("flk_abcdefghjk23")]
    [InlineData("flk_abcdefghjk23_")]
    [InlineData("flk-abcdefghjk23-xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx")]
    [InlineData("abcdefghjk23_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx")]
    public void Empty_and_garbage_tokens_are_rejected(string? presented) =>
        Assert.Null(ApiKeyToken.TryParse(presented));

    [Theory]
    [InlineData("FLK")]
    [InlineData("flkx")]
    [InlineData("fl")]
    [InlineData("ghp")]
    [InlineData("")]
    public void Tokens_of_another_scheme_are_rejected(string scheme) =>
        Assert.Null(ApiKeyToken.TryParse($"{scheme}_{Lookup}_{Secret}"));

    [Theory]
    [InlineData(0)]
    [InlineData(11)]
    [InlineData(13)]
    [InlineData(24)]
    public void Tokens_with_a_lookup_of_the_wrong_length_are_rejected(int lookupLength) =>
        Assert.Null(ApiKeyToken.TryParse($"flk_{new string('a', lookupLength)}_{Secret}"));

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(31)]
    public void Tokens_with_a_short_secret_are_rejected(int secretLength) =>
        Assert.Null(ApiKeyToken.TryParse($"flk_{Lookup}_{new string('s', secretLength)}"));

    [Theory]
    [InlineData(112)] // 129 characters
    [InlineData(10_000)]
    public void Over_long_tokens_are_rejected(int secretLength) =>
        Assert.Null(ApiKeyToken.TryParse($"flk_{Lookup}_{new string('s', secretLength)}"));

    [GeneratedRegex("^flk_(?<lookup>[abcdefghijkmnpqrstuvwxyz23456789]{12})_(?<secret>[A-Za-z0-9_-]{43})$")]
    private static partial Regex TokenShape();
}
