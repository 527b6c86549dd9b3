using Faultline.Sdk.Targets;

namespace Faultline.Domain.Agents;

/// <summary>The first message of a session: the agent, its host's abilities, its targets and the faults it holds.</summary>
public sealed record AgentHello(
    string Name,
    string Hostname,
    string Version,
    IReadOnlyList<AgentInjector> Injectors,
    IReadOnlyList<Target> Targets,
    IReadOnlyList<HeldFault> HeldFaults);
