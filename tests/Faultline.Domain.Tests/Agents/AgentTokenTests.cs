using Faultline.Domain.Agents;
using Faultline.Domain.Tenancy;

namespace Faultline.Domain.Tests.Agents;

public sealed class AgentTokenTests
{
    [Fact]
    public void A_created_token_parses_back_and_matches_only_its_own_hash()
    {
        var token = AgentToken.Create();
        Assert.StartsWith($"{AgentToken.Scheme}_{token.Lookup}_", token.Value, StringComparison.Ordinal);

        var parsed = AgentToken.TryParse(token.Value);
        Assert.NotNull(parsed);
        Assert.Equal(token.Lookup, parsed.Lookup);
        Assert.True(parsed.Matches(token.Hash()));
        Assert.False(parsed.Matches(AgentToken.Create().Hash()));
    }

    [Fact]
    public void Api_keys_and_agent_tokens_are_never_mistaken_for_each_other()
    {
        var apiKey = ApiKeyToken.Create();
        var agentToken = AgentToken.Create();

        Assert.Null(AgentToken.TryParse(apiKey.Value));
        Assert.Null(ApiKeyToken.TryParse(agentToken.Value));

        // The same lookup and secret under the other scheme is a different token with a different hash.
        var swapped = AgentToken.TryParse($"{AgentToken.Scheme}{apiKey.Value[ApiKeyToken.Scheme.Length..]}");
        Assert.NotNull(swapped);
        Assert.False(swapped.Matches(apiKey.Hash()));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("fla_short_secret")]
    [InlineData("fla_abcdefghijkm")]
    [InlineData("Bearer fla_abcdefghijkm_0123456789012345678901234567890123456789")]
    public void Anything_not_shaped_like_an_agent_token_is_refused(string? presented) =>
        Assert.Null(AgentToken.TryParse(presented));
}
