namespace Faultline.Domain.Runs;

/// <summary>
/// The allowed moves of a run. The happy path is pending → checking-steady-state → injecting → observing →
/// rolling-back → verifying-recovery → completed. Any state before rolling-back may jump to rolling-back (abort,
/// error after a fault may exist) or, if nothing can have been injected yet, straight to completed. Once rolling
/// back, a run only moves forward: a rollback is never abandoned half-way.
/// </summary>
public static class RunLifecycle
{
    private static readonly Dictionary<RunState, RunState[]> Next = new()
    {
        [RunState.Pending] = [RunState.CheckingSteadyState, RunState.Completed],
        [RunState.CheckingSteadyState] = [RunState.Injecting, RunState.Completed],
        [RunState.Injecting] = [RunState.Observing, RunState.RollingBack],
        [RunState.Observing] = [RunState.RollingBack],
        [RunState.RollingBack] = [RunState.VerifyingRecovery, RunState.Completed],
        [RunState.VerifyingRecovery] = [RunState.Completed],
        [RunState.Completed] = [],
    };

    public static bool CanMove(RunState from, RunState to) => Next[from].Contains(to);

    /// <summary>Returns <paramref name="to"/>, or throws if the move would skip a rollback or leave a final state.</summary>
    public static RunState Move(RunState from, RunState to) =>
        CanMove(from, to) ? to : throw new InvalidOperationException($"A run cannot move from {from} to {to}.");

    /// <summary>Whether faults may exist in this state, so stopping must go through rolling-back.</summary>
    public static bool MayHaveFaults(RunState state) => state is RunState.Injecting or RunState.Observing or RunState.RollingBack;

    /// <summary>Where an abort (user, guardrail, halt, lost owner) leads from <paramref name="state"/>.</summary>
    public static RunState AbortTarget(RunState state) => state switch
    {
        RunState.Pending or RunState.CheckingSteadyState => RunState.Completed,
        RunState.Injecting or RunState.Observing => RunState.RollingBack,
        RunState.RollingBack or RunState.VerifyingRecovery => state,
        _ => RunState.Completed,
    };

    public static RunState Parse(string name) => name switch
    {
        "pending" => RunState.Pending,
        "checking-steady-state" => RunState.CheckingSteadyState,
        "injecting" => RunState.Injecting,
        "observing" => RunState.Observing,
        "rolling-back" => RunState.RollingBack,
        "verifying-recovery" => RunState.VerifyingRecovery,
        "completed" => RunState.Completed,
        _ => throw new ArgumentOutOfRangeException(nameof(name), name, "Not a run state."),
    };

    public static string Name(RunState state) => state switch
    {
        RunState.Pending => "pending",
        RunState.CheckingSteadyState => "checking-steady-state",
        RunState.Injecting => "injecting",
        RunState.Observing => "observing",
        RunState.RollingBack => "rolling-back",
        RunState.VerifyingRecovery => "verifying-recovery",
        RunState.Completed => "completed",
        _ => throw new ArgumentOutOfRangeException(nameof(state), state, null),
    };
}
