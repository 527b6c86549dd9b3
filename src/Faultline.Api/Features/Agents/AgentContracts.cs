using System.Text.Json;
using Faultline.Domain.Agents;
using Faultline.Sdk.Targets;
using Faultline.Storage.Agents;

namespace Faultline.Api.Features.Agents;

/// <summary>
/// An agent as it last introduced itself: its injectors with what each found on the host, and its targets.
/// <c>connected</c> is true while it polls within the grace.
/// </summary>
public sealed record AgentResponse(
    Guid Id,
    string Name,
    Guid? TeamId,
    string Hostname,
    string Version,
    bool Connected,
    DateTimeOffset LastPollAt,
    DateTimeOffset CreatedAt,
    IReadOnlyList<AgentInjector> Injectors,
    IReadOnlyList<Target> Targets)
{
    public static AgentResponse From(AgentRecord agent, DateTimeOffset now, TimeSpan grace) => new(
        agent.Id,
        agent.Name,
        agent.TeamId,
        agent.Hostname,
        agent.Version,
        new DateTimeOffset(agent.LastPollAt, TimeSpan.Zero) > now - grace,
        agent.LastPollAt,
        agent.CreatedAt,
        JsonSerializer.Deserialize<List<AgentInjector>>(agent.Injectors, AgentJson.Options) ?? [],
        JsonSerializer.Deserialize<List<Target>>(agent.Targets, AgentJson.Options) ?? []);
}
