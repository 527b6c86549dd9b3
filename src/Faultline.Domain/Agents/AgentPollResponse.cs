namespace Faultline.Domain.Agents;

/// <summary>The answer to a poll: commands to run, renewals of the faults of live runs.</summary>
public sealed record AgentPollResponse(IReadOnlyList<AgentCommand> Commands, IReadOnlyList<FaultRenewal> Renewals);
