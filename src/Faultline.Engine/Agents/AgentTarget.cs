using Faultline.Sdk.Targets;

namespace Faultline.Engine.Agents;

/// <summary>A target as an agent reported it, with the agent and the injectors that agent has loaded.</summary>
public sealed record AgentTarget(Guid AgentId, string AgentName, Target Target, IReadOnlyList<string> Injectors);
