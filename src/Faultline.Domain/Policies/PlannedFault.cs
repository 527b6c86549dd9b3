namespace Faultline.Domain.Policies;

/// <summary>
/// The targets one fault of the spec resolved to. <see cref="Path"/> is the fault's JSON path as
/// <see cref="Experiments.FaultLocations"/> yields it, so a violation points at the fault that caused it.
/// </summary>
public sealed record PlannedFault(string Path, IReadOnlyList<PlannedTarget> Targets);
