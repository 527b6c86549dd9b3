using Faultline.Sdk.Injection;

namespace Faultline.Domain.Agents;

/// <summary>An injector the agent has loaded, with what its host probe found (null when it does not probe).</summary>
public sealed record AgentInjector(string Name, IReadOnlyList<string> TargetKinds, HostCapabilityReport? Host);
