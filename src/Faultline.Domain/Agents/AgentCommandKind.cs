namespace Faultline.Domain.Agents;

/// <summary>What an agent is asked to do; only ever for a target it reported.</summary>
public enum AgentCommandKind
{
    Validate,
    Inject,
    Verify,
    Rollback,
    ListLeftovers,
}
