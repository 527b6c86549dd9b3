namespace Faultline.Domain.Runs;

public enum VerdictKind
{
    /// <summary>The faults took effect and the steady state held: the hypothesis stands.</summary>
    Passed,

    /// <summary>The faults took effect and the steady state did not hold: the hypothesis is refuted.</summary>
    Failed,

    /// <summary>Stopped on purpose or by a guardrail, a halt, or the loss of its owner; faults rolled back.</summary>
    Aborted,

    /// <summary>Could not run as planned (a fault did not take effect, a provider was missing); faults rolled back.</summary>
    Error,
}

public enum AbortCause
{
    Guardrail,
    User,
    Halt,
    LostOwner,

    /// <summary>The agent holding a fault removed it on its own (it restarted, or lost the control plane past its grace).</summary>
    Agent,
}

/// <summary>
/// What a run concluded and why, in words a person can check against the evidence. A fault that did not take
/// effect is never a pass: the verdict is Error and says so.
/// </summary>
public sealed record Verdict(VerdictKind Kind, string Reason, AbortCause? Cause = null)
{
    public static Verdict Passed(string reason) => new(VerdictKind.Passed, reason);

    public static Verdict Refuted(string reason) => new(VerdictKind.Failed, reason);

    public static Verdict Aborted(AbortCause cause, string reason) => new(VerdictKind.Aborted, reason, cause);

    public static Verdict Errored(string reason) => new(VerdictKind.Error, reason);
}
