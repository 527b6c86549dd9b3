namespace Faultline.Bench.Engine;

/// <summary>How one run ended, from its rows: the verdict, who closed it, and when its faults were proven removed.</summary>
internal sealed record RunOutcome(
    Guid RunId,
    string State,
    string? Verdict,
    string? AbortCause,
    Guid? OwnerNode,
    int Activations,
    DateTime CreatedAt,
    DateTime? FinishedAt,
    int Faults,
    int FaultsRemoved,
    DateTime? LastRemovedAt)
{
    public bool AllFaultsRemoved => Faults > 0 && FaultsRemoved == Faults;

    public string Describe() =>
        $"run {RunId}: state {State}, verdict {Verdict ?? "none"}, abort cause {AbortCause ?? "none"}, {FaultsRemoved}/{Faults} fault(s) removed, owner {OwnerNode?.ToString() ?? "none"}";
}
