namespace Faultline.Domain.Agents;

/// <summary>
/// A fault of a live run may stay until <see cref="GraceUntil"/> (or its hard expiry, whichever comes first).
/// Faults the agent holds that get no renewal are not owned by a live run and are removed.
/// </summary>
public sealed record FaultRenewal(string FaultId, DateTimeOffset GraceUntil);
