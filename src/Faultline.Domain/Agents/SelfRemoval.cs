namespace Faultline.Domain.Agents;

/// <summary>A fault the agent removed on its own (grace or hard expiry passed), with its proof, for the run's record.</summary>
public sealed record SelfRemoval(string FaultId, string Reason, string Evidence, DateTimeOffset RemovedAt);
