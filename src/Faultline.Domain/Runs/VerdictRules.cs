namespace Faultline.Domain.Runs;

/// <summary>What was measured during a run, reduced to the facts a verdict depends on.</summary>
public sealed record RunEvidence(
    bool SteadyStateHeldBefore,
    int FaultsPlanned,
    int FaultsVerifiedInEffect,
    bool SteadyStateHeldDuring,
    bool RecoveredAfter,
    bool AllFaultsRemoved,
    AbortCause? AbortedBy,
    string? AbortDetail,
    string? Error,
    TimeSpan? RecoveryWindow = null,
    TimeSpan? RecoveredIn = null);

/// <summary>
/// Turns evidence into a verdict, stating what was really measured. Order matters: an unremoved fault or an
/// error outranks everything, an abort outranks the hypothesis, and a fault that never took effect can never
/// let the hypothesis pass.
/// </summary>
public static class VerdictRules
{
    public static Verdict Decide(RunEvidence evidence)
    {
        if (!evidence.AllFaultsRemoved)
        {
            return Verdict.Errored("A fault could not be verified as removed; it stays marked for reconciliation and an operator must check it.");
        }

        if (evidence.Error is { } error)
        {
            return Verdict.Errored(error);
        }

        if (evidence.AbortedBy is { } cause)
        {
            return Verdict.Aborted(cause, evidence.AbortDetail ?? $"Aborted by {cause}.");
        }

        if (!evidence.SteadyStateHeldBefore)
        {
            return Verdict.Errored("The steady state did not hold before injection, so nothing was injected: fix the system or the probes first.");
        }

        if (evidence.FaultsVerifiedInEffect < evidence.FaultsPlanned)
        {
            return Verdict.Errored($"Only {evidence.FaultsVerifiedInEffect} of {evidence.FaultsPlanned} faults were verified in effect; the hypothesis was not tested.");
        }

        if (!evidence.SteadyStateHeldDuring)
        {
            return Verdict.Refuted("The steady state did not hold while the faults were in effect: the hypothesis is refuted.");
        }

        return evidence.RecoveredAfter
            ? Verdict.Passed($"All {evidence.FaultsPlanned} faults took effect, the steady state held, and the system recovered after rollback{Took(evidence)}.")
            : Verdict.Refuted($"The steady state held during the faults but did not recover{Within(evidence)} after rollback.");
    }

    private static string Took(RunEvidence evidence) =>
        evidence.RecoveredIn is { } took
            ? $" in {Seconds(took)}{(evidence.RecoveryWindow is { } window ? $" (allowed {Seconds(window)})" : "")}"
            : "";

    private static string Within(RunEvidence evidence) => evidence.RecoveryWindow is { } window ? $" within {Seconds(window)}" : "";

    private static string Seconds(TimeSpan span) =>
        span.TotalSeconds.ToString(span.TotalSeconds < 10 ? "0.0 's'" : "0 's'", System.Globalization.CultureInfo.InvariantCulture);
}
