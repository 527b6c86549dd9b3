using Faultline.Domain.Agents;

namespace Faultline.Engine.Agents;

/// <summary>The control plane's side of the agent protocol's timing; the same on every node.</summary>
public sealed class AgentOptions
{
    /// <summary>
    /// How long an agent keeps a fault of a live run after the last renewal (FAULTLINE_AGENT_GRACE_MS), and how recently
    /// an agent must have polled to count as connected.
    /// </summary>
    public TimeSpan Grace { get; init; } = AgentProtocol.DefaultGrace;

    /// <summary>The longest a poll is held open when there is nothing to send (FAULTLINE_AGENT_POLL_WAIT_MS); well under the grace.</summary>
    public TimeSpan PollWait { get; init; } = AgentProtocol.DefaultPollWait;

    /// <summary>How often a waiter re-reads the table when no notification came (a lost NOTIFY only delays by this).</summary>
    public TimeSpan RecheckInterval { get; init; } = TimeSpan.FromSeconds(1);
}
