using Faultline.Storage.Agents;

namespace Faultline.Engine.Agents;

/// <summary>
/// The directory over the agents table: a target belongs to the organization's agent that last reported it, even
/// while that agent is away; candidates are only the targets of agents that polled within the grace.
/// </summary>
public sealed class PostgresAgentDirectory(AgentStore agents, AgentOptions options) : IAgentDirectory
{
    public async Task<AgentTarget?> FindAsync(Guid organizationId, string kind, string id, CancellationToken cancellationToken)
    {
        var agent = await agents.FindByTargetAsync(organizationId, kind, id, grace: null, cancellationToken);
        var target = agent is null ? null : AgentTargets.TargetsOf(agent).FirstOrDefault(t => t.Kind == kind && t.Id == id);
        return target is null ? null : AgentTargets.ToAgentTarget(agent!, target, options.Grace);
    }

    public async Task<IReadOnlyList<AgentTarget>> ListTargetsAsync(Guid organizationId, CancellationToken cancellationToken)
    {
        var connected = await agents.ListConnectedAsync(organizationId, options.Grace, cancellationToken);
        return connected.SelectMany(agent => AgentTargets.TargetsOf(agent).Select(target => AgentTargets.ToAgentTarget(agent, target, options.Grace))).ToList();
    }
}
