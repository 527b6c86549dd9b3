using Faultline.Sdk.Versioning;

namespace Faultline.Sdk.Tests.Versioning;

public sealed class VersionRangeTests
{
    [Theory]
    [InlineData("[1.0.0, 2.0.0)", "1.0.0", true)]
    [InlineData("[1.0.0, 2.0.0)", "1.9.9", true)]
    [InlineData("[1.0.0, 2.0.0)", "2.0.0", false)]
    [InlineData("[1.0.0, 2.0.0)", "0.9.0", false)]
    [InlineData("(1.0.0, 2.0.0]", "1.0.0", false)]
    [InlineData("(1.0.0, 2.0.0]", "2.0.0", true)]
    [InlineData("1.2", "1.2.0", true)]
    [InlineData("1.2", "9.0.0", true)]
    [InlineData("1.2", "1.1.9", false)]
    [InlineData("[1.2.3]", "1.2.3", true)]
    [InlineData("[1.2.3]", "1.2.4", false)]
    [InlineData("(, 2.0.0)", "0.0.1", true)]
    [InlineData("[1.0.0, )", "99.0.0", true)]
    [InlineData("[1.0.0, 2.0.0)", "2.0.0-beta", true)]
    public void Contains_follows_interval_notation(string range, string version, bool expected) =>
        Assert.Equal(expected, VersionRange.Parse(range).Contains(SemanticVersion.Parse(version)));

    [Theory]
    [InlineData("")]
    [InlineData("[,]")]
    [InlineData("[1.0.0, 2.0.0")]
    [InlineData("(1.2.3)")]
    [InlineData("[a, b)")]
    [InlineData("latest")]
    public void Nonsense_is_not_a_range(string text) => Assert.False(VersionRange.TryParse(text, out _));

    [Theory]
    [InlineData("1.0.0-alpha", "1.0.0", -1)]
    [InlineData("1.10.0", "1.9.0", 1)]
    [InlineData("2.0.0+build.5", "2.0.0", 0)]
    [InlineData("1.0.0-alpha", "1.0.0-beta", -1)]
    public void Versions_compare_by_semver(string left, string right, int sign) =>
        Assert.Equal(sign, Math.Sign(SemanticVersion.Parse(left).CompareTo(SemanticVersion.Parse(right))));

    [Theory]
    [InlineData("1.-2.3")]
    [InlineData("1.2.3.4")]
    [InlineData("1.2.3-")]
    [InlineData("v1")]
    public void Nonsense_is_not_a_version(string text) => Assert.False(SemanticVersion.TryParse(text, out _));
}
