namespace Faultline.Bench.Engine;

/// <summary>
/// What a throughput run left in the database, on PostgreSQL's clock: its life span, the span it spent
/// observing (its fault in effect), and how many timeline events and state transitions the engine wrote for it.
/// </summary>
internal sealed record RunTimeline(
    Guid RunId,
    string? Verdict,
    DateTime CreatedAt,
    DateTime? FinishedAt,
    DateTime? ObservingFrom,
    DateTime? ObservingUntil,
    int EngineEvents,
    int StateTransitions);
