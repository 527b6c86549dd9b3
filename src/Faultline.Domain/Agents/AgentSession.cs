namespace Faultline.Domain.Agents;

/// <summary>The answer to a hello.</summary>
public sealed record AgentSession(
    Guid AgentId,
    Guid SessionId,
    int PollWaitMs,
    int GraceMs,
    IReadOnlyList<FaultRenewal> Renewals);
