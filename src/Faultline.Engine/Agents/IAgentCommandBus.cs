using Faultline.Domain.Agents;

namespace Faultline.Engine.Agents;

/// <summary>
/// Sends a command to an agent and waits for its result. Commands go through the database, so the node that
/// sends and the node the agent polls need not be the same; the agent picks a command up on its next poll.
/// </summary>
public interface IAgentCommandBus
{
    /// <summary>
    /// Queues <paramref name="command"/> for <paramref name="agentId"/> and waits for its result. Throws
    /// <see cref="AgentUnavailableException"/> when no result arrives within <paramref name="timeout"/> (the command is
    /// then withdrawn if the agent has not taken it yet).
    /// </summary>
    Task<CommandResult> SendAsync(Guid organizationId, Guid agentId, Guid? runId, AgentCommand command, TimeSpan timeout, CancellationToken cancellationToken);
}
