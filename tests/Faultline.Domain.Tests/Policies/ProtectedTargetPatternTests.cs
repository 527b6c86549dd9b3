using Faultline.Domain.Policies;
using static Faultline.Domain.Tests.Policies.PolicyFixtures;

namespace Faultline.Domain.Tests.Policies;

public sealed class ProtectedTargetPatternTests
{
    [Theory]
    [InlineData("db-0", "db-0", true)]
    [InlineData("db-*", "db-0", true)]
    [InlineData("db-*", "db-", true)]
    [InlineData("db-*", "web-0", false)]
    [InlineData("*-primary", "payments-primary", true)]
    [InlineData("*-primary", "payments-primary-2", false)]
    [InlineData("a*b*c", "axxbyyc", true)]
    [InlineData("a*b*c", "axxbyy", false)]
    [InlineData("*", "anything", true)]
    [InlineData("pod/db-*", "db-0", true)]
    [InlineData("process/db-*", "db-0", false)]
    [InlineData("DB-*", "db-0", false)]
    public void An_id_pattern_is_a_glob_over_the_id_and_the_kind_slash_id(string text, string id, bool expected)
    {
        Assert.True(ProtectedTargetPattern.TryParse(text, out var pattern));
        Assert.False(pattern.IsLabelSelector);
        Assert.Equal(expected, pattern.Matches(Pod(id)));
    }

    [Theory]
    [InlineData("tier=payments-db", "tier=payments-db,app=db", true)]
    [InlineData("tier=payments-db", "tier=web", false)]
    [InlineData("tier=payments-db", "app=db", false)]
    [InlineData("tier=payments-db, region=eu", "tier=payments-db,region=eu", true)]
    [InlineData("tier=payments-db,region=eu", "tier=payments-db,region=us", false)]
    public void A_label_pattern_matches_targets_carrying_every_pair(string text, string labels, bool expected)
    {
        Assert.True(ProtectedTargetPattern.TryParse(text, out var pattern));
        Assert.True(pattern.IsLabelSelector);
        Assert.Equal(expected, pattern.Matches(Pod("x", labels)));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("=db")]
    [InlineData("tier=")]
    [InlineData("tier=db,,app=x")]
    [InlineData("tier=db,tier=web")]
    public void Patterns_that_would_protect_nothing_or_everything_are_refused(string? text) =>
        Assert.False(ProtectedTargetPattern.TryParse(text, out _));

    [Fact]
    public void A_long_hostile_glob_is_matched_quickly()
    {
        Assert.True(ProtectedTargetPattern.TryParse(string.Concat(Enumerable.Repeat("a*", 200)) + "b", out var pattern));

        Assert.False(pattern.Matches(Pod(new string('a', 5000))));
    }
}
