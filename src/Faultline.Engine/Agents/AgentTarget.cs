using Faultline.Sdk.Targets;

namespace Faultline.Engine.Agents;

/// <summary>
/// A target as an agent reported it, with the agent, the injectors that agent has loaded, and whether the agent is
/// connected now (polled within its grace): a command to an agent that is away fails at once rather than wait.
/// </summary>
public sealed record AgentTarget(Guid AgentId, string AgentName, Target Target, IReadOnlyList<string> Injectors, bool Connected = true);
