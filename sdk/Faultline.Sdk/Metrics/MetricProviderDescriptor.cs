namespace Faultline.Sdk.Metrics;

/// <summary>A metric provider's name, purpose and the JSON Schema of its configuration object.</summary>
public sealed record MetricProviderDescriptor(string Name, string Description, string ConfigurationSchema);
