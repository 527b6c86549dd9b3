using Faultline.Domain.Runs;

namespace Faultline.Domain.Tests.Runs;

public sealed class RunLifecycleTests
{
    private static readonly RunState[] HappyPath =
        [RunState.Pending, RunState.CheckingSteadyState, RunState.Injecting, RunState.Observing, RunState.RollingBack, RunState.VerifyingRecovery, RunState.Completed];

    [Fact]
    public void The_four_steps_are_a_legal_path()
    {
        for (var i = 1; i < HappyPath.Length; i++)
        {
            Assert.Equal(HappyPath[i], RunLifecycle.Move(HappyPath[i - 1], HappyPath[i]));
        }
    }

    [Theory]
    [InlineData(RunState.Injecting, RunState.Completed)]
    [InlineData(RunState.Observing, RunState.Completed)]
    [InlineData(RunState.Observing, RunState.VerifyingRecovery)]
    [InlineData(RunState.Completed, RunState.Pending)]
    [InlineData(RunState.RollingBack, RunState.Observing)]
    public void No_move_skips_the_rollback_of_faults_that_may_exist(RunState from, RunState to) =>
        Assert.Throws<InvalidOperationException>(() => RunLifecycle.Move(from, to));

    [Theory]
    [InlineData(RunState.Pending, RunState.Completed)]
    [InlineData(RunState.CheckingSteadyState, RunState.Completed)]
    [InlineData(RunState.Injecting, RunState.RollingBack)]
    [InlineData(RunState.Observing, RunState.RollingBack)]
    [InlineData(RunState.RollingBack, RunState.RollingBack)]
    public void An_abort_rolls_back_whenever_a_fault_may_exist(RunState from, RunState expected)
    {
        Assert.Equal(expected, RunLifecycle.AbortTarget(from));
        Assert.Equal(RunLifecycle.MayHaveFaults(from), expected == RunState.RollingBack);
    }

    [Fact]
    public void A_fault_that_never_took_effect_is_never_a_pass()
    {
        var verdict = VerdictRules.Decide(new RunEvidence(true, 3, 2, true, true, true, null, null, null));

        Assert.Equal(VerdictKind.Error, verdict.Kind);
        Assert.Contains("2 of 3", verdict.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Verdicts_follow_the_evidence_in_order_of_severity()
    {
        Assert.Equal(VerdictKind.Passed, VerdictRules.Decide(new RunEvidence(true, 2, 2, true, true, true, null, null, null)).Kind);
        Assert.Equal(VerdictKind.Failed, VerdictRules.Decide(new RunEvidence(true, 2, 2, false, true, true, null, null, null)).Kind);
        Assert.Equal(VerdictKind.Failed, VerdictRules.Decide(new RunEvidence(true, 2, 2, true, false, true, null, null, null)).Kind);
        Assert.Equal(VerdictKind.Error, VerdictRules.Decide(new RunEvidence(false, 2, 0, true, true, true, null, null, null)).Kind);

        var aborted = VerdictRules.Decide(new RunEvidence(true, 2, 2, false, true, true, AbortCause.Guardrail, "errors 7% > 5%", null));
        Assert.Equal(VerdictKind.Aborted, aborted.Kind);
        Assert.Equal(AbortCause.Guardrail, aborted.Cause);

        // A fault not verified removed outranks everything, even an abort.
        Assert.Equal(VerdictKind.Error, VerdictRules.Decide(new RunEvidence(true, 2, 2, true, true, false, AbortCause.User, null, null)).Kind);
    }
}
