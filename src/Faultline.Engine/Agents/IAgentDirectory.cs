namespace Faultline.Engine.Agents;

/// <summary>
/// Which agent holds a target. Agents report their targets when a session opens; only the organization's own
/// agents are ever returned, and only while they are connected (polled within their grace).
/// </summary>
public interface IAgentDirectory
{
    /// <summary>The connected agent of <paramref name="organizationId"/> that reported <paramref name="kind"/>/<paramref name="id"/>, or null.</summary>
    Task<AgentTarget?> FindAsync(Guid organizationId, string kind, string id, CancellationToken cancellationToken);

    /// <summary>Every target reported by the organization's connected agents.</summary>
    Task<IReadOnlyList<AgentTarget>> ListTargetsAsync(Guid organizationId, CancellationToken cancellationToken);
}
