namespace Faultline.Sdk.Discovery;

/// <summary>A discovery provider's name, the target kinds it finds, and the JSON Schema of its configuration.</summary>
public sealed record TargetDiscoveryDescriptor(string Name, string Description, IReadOnlyList<string> TargetKinds, string ConfigurationSchema);
