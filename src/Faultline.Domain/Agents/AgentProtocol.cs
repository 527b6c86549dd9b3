namespace Faultline.Domain.Agents;

/// <summary>
/// The agent protocol: JSON over HTTPS, always opened by the agent (the control plane never needs a way into a
/// customer's network). Every request carries the agent token as <c>Authorization: Bearer fla_...</c>.
/// <list type="number">
/// <item><c>POST /api/v1/agent/sessions</c> with <see cref="AgentHello"/>: who the agent is, what its injectors can
/// do on this host, which targets it sees, and every fault it holds (journal and leftovers). The answer,
/// <see cref="AgentSession"/>, says which of those faults still belong to a live run; the agent removes the rest
/// before it accepts any command.</item>
/// <item><c>POST /api/v1/agent/poll</c> with <see cref="AgentPoll"/>, in a loop: a long poll (at most
/// <see cref="AgentSession.PollWaitMs"/>) that is also the heartbeat. It carries the results of finished commands
/// and the faults the agent holds; the answer, <see cref="AgentPollResponse"/>, brings new commands and renews
/// each fault of a live run until now + grace. A fault that is not renewed before its grace runs out, or whose
/// hard expiry passes, is removed by the agent on its own: the dead-man switch.</item>
/// </list>
/// </summary>
public static class AgentProtocol
{
    public const string SessionsPath = "/api/v1/agent/sessions";

    public const string PollPath = "/api/v1/agent/poll";

    /// <summary>How long the agent keeps a fault without hearing from the control plane, by default.</summary>
    public static readonly TimeSpan DefaultGrace = TimeSpan.FromSeconds(15);

    /// <summary>The longest a poll is held open when there is nothing to say; well under the grace.</summary>
    public static readonly TimeSpan DefaultPollWait = TimeSpan.FromSeconds(5);
}
