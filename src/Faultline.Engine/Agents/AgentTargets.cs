using System.Text.Json;
using Faultline.Domain.Agents;
using Faultline.Sdk.Targets;
using Faultline.Storage.Agents;

namespace Faultline.Engine.Agents;

/// <summary>Reads what an agent reported (stored as the protocol's JSON) back into targets and injector names.</summary>
internal static class AgentTargets
{
    public static IReadOnlyList<Target> TargetsOf(AgentRecord agent) =>
        JsonSerializer.Deserialize<List<Target>>(agent.Targets, AgentJson.Options) ?? [];

    public static IReadOnlyList<string> InjectorNamesOf(AgentRecord agent) =>
        (JsonSerializer.Deserialize<List<AgentInjector>>(agent.Injectors, AgentJson.Options) ?? []).Select(i => i.Name).ToList();

    public static bool Reports(AgentRecord agent, Target target) =>
        TargetsOf(agent).Any(t => t.Kind == target.Kind && t.Id == target.Id);

    public static AgentTarget ToAgentTarget(AgentRecord agent, Target target, TimeSpan grace) =>
        new(agent.Id, agent.Name, target, InjectorNamesOf(agent), DateTime.UtcNow - DateTime.SpecifyKind(agent.LastPollAt, DateTimeKind.Utc) < grace);
}
