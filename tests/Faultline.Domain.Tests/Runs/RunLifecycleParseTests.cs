using Faultline.Domain.Runs;

namespace Faultline.Domain.Tests.Runs;

public sealed class RunLifecycleParseTests
{
    public static TheoryData<RunState> States => [.. Enum.GetValues<RunState>()];

    [Theory]
    [MemberData(nameof(States))]
    public void Parse_reads_back_the_name_of_every_state(RunState state) =>
        Assert.Equal(state, RunLifecycle.Parse(RunLifecycle.Name(state)));

    [Fact]
    public void Every_state_has_its_own_name()
    {
        var names = Enum.GetValues<RunState>().Select(RunLifecycle.Name).ToList();

        Assert.Equal(names.Count, names.Distinct(StringComparer.Ordinal).Count());
        Assert.All(names, name => Assert.Equal(name, name.ToLowerInvariant()));
    }

    [Theory]
    [InlineData("checking-steady-state", RunState.CheckingSteadyState)]
    [InlineData("rolling-back", RunState.RollingBack)]
    [InlineData("verifying-recovery", RunState.VerifyingRecovery)]
    public void Names_are_kebab_case(string name, RunState state)
    {
        Assert.Equal(name, RunLifecycle.Name(state));
        Assert.Equal(state, RunLifecycle.Parse(name));
    }

    [Theory]
    [InlineData("")]
    [InlineData("done")]
    [InlineData("Pending")]
    [InlineData("rolling_back")]
    [InlineData("RollingBack")]
    [InlineData(" completed")]
    public void An_unknown_name_is_refused(string name)
    {
        var exception = Assert.Throws<ArgumentOutOfRangeException>(() => RunLifecycle.Parse(name));

        Assert.Equal("name", exception.ParamName);
        Assert.Equal(name, exception.ActualValue);
    }

    [Fact]
    public void A_state_outside_the_enum_has_no_name() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => RunLifecycle.Name((RunState)99));
}
