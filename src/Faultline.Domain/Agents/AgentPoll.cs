namespace Faultline.Domain.Agents;

/// <summary>One poll: the results since the last one and the faults the agent holds now.</summary>
public sealed record AgentPoll(Guid SessionId, IReadOnlyList<CommandResult> Results, IReadOnlyList<string> HeldFaultIds, IReadOnlyList<SelfRemoval> SelfRemovals);
