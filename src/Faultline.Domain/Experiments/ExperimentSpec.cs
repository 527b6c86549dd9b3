namespace Faultline.Domain.Experiments;

/// <summary>
/// An experiment as a user writes it (YAML or JSON, <c>apiVersion: faultline.dev/v1</c>, <c>kind: Experiment</c>):
/// a hypothesis checked against a steady state measured from real metrics, the faults of the method, the
/// guardrails that abort, the extra rollbacks, and an optional schedule.
/// </summary>
public sealed record ExperimentSpec(
    ExperimentMetadata Metadata,
    string Hypothesis,
    IReadOnlyList<Probe> SteadyState,
    IReadOnlyList<MethodStep> Method,
    IReadOnlyList<Guardrail> Guardrails,
    IReadOnlyList<FaultAction> Rollbacks,
    Schedule? Schedule,
    Recovery? Recovery = null)
{
    public const string ApiVersion = "faultline.dev/v1";
    public const string Kind = "Experiment";

    /// <summary>Every fault action of the method, in order, whatever branch or sequence holds it.</summary>
    public IEnumerable<FaultAction> Faults => Method.SelectMany(step => step.Faults);
}

public sealed record ExperimentMetadata(string Name, string? Team, IReadOnlyDictionary<string, string> Labels);
