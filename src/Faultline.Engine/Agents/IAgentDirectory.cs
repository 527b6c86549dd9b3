namespace Faultline.Engine.Agents;

/// <summary>
/// Which agent holds a target. Agents report their targets when a session opens; only the organization's own
/// agents are ever returned.
/// </summary>
public interface IAgentDirectory
{
    /// <summary>
    /// The agent of <paramref name="organizationId"/> that last reported <paramref name="kind"/>/<paramref name="id"/>,
    /// connected or not, or null when no agent ever did. A target an agent reported is never treated as this node's
    /// own, even while its agent is away: the call then fails as unanswered rather than act on the wrong host.
    /// </summary>
    Task<AgentTarget?> FindAsync(Guid organizationId, string kind, string id, CancellationToken cancellationToken);

    /// <summary>Every target reported by the organization's connected agents (polled within their grace): the candidates of a selector.</summary>
    Task<IReadOnlyList<AgentTarget>> ListTargetsAsync(Guid organizationId, CancellationToken cancellationToken);
}
