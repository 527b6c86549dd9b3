using Faultline.Domain.Policies;
using Faultline.Domain.Validation;

namespace Faultline.Domain.Tests.Policies;

public sealed class BlastRadiusPolicyTests
{
    [Fact]
    public void The_default_policy_is_valid_and_restricts_nothing()
    {
        var policy = BlastRadiusPolicy.Unrestricted;
        var errors = new ValidationErrors();

        policy.Validate(errors);

        Assert.True(errors.IsEmpty);
        Assert.Equal("app", policy.ServiceLabel);
        Assert.Null(policy.MaxFaultDuration);
        Assert.Null(policy.MaxSharePercentOfService);
        Assert.Null(policy.MaxConcurrentRuns);
    }

    public static TheoryData<BlastRadiusPolicy, string> InvalidPolicies => new()
    {
        { new BlastRadiusPolicy { ProtectedTargets = ["db-*", "tier="] }, "$.protectedTargets[1]" },
        { new BlastRadiusPolicy { MaxFaultDuration = TimeSpan.Zero }, "$.maxFaultDuration" },
        { new BlastRadiusPolicy { MaxSharePercentOfService = 0 }, "$.maxSharePercentOfService" },
        { new BlastRadiusPolicy { MaxSharePercentOfService = 101 }, "$.maxSharePercentOfService" },
        { new BlastRadiusPolicy { MaxConcurrentRuns = -1 }, "$.maxConcurrentRuns" },
        { new BlastRadiusPolicy { ServiceLabel = " " }, "$.serviceLabel" },
    };

    [Theory]
    [MemberData(nameof(InvalidPolicies))]
    public void An_invalid_policy_names_the_offending_field(BlastRadiusPolicy policy, string path)
    {
        var errors = new ValidationErrors();

        policy.Validate(errors);

        Assert.Equal([path], errors.ToDictionary().Keys);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    public void Zero_concurrent_runs_is_a_valid_freeze(int max)
    {
        var errors = new ValidationErrors();

        new BlastRadiusPolicy { MaxConcurrentRuns = max, MaxSharePercentOfService = 100 }.Validate(errors);

        Assert.True(errors.IsEmpty);
    }
}
