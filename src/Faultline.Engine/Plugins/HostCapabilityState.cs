using Faultline.Sdk.Injection;

namespace Faultline.Engine.Plugins;

/// <summary>The outcome of one injector's host probe on this node: its report, or why there is none.</summary>
public sealed record HostCapabilityState(DateTimeOffset ProbedAt, HostCapabilityReport? Report, string? Error);
