namespace Faultline.Domain.Runs;

/// <summary>Where a run is in the four steps. Every change is a timeline event.</summary>
public enum RunState
{
    Pending,
    CheckingSteadyState,
    Injecting,
    Observing,
    RollingBack,
    VerifyingRecovery,
    Completed,
}
