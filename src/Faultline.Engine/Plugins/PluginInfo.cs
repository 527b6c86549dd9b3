using Faultline.Sdk.Discovery;
using Faultline.Sdk.Injection;
using Faultline.Sdk.Metrics;

namespace Faultline.Engine.Plugins;

/// <summary>What the host knows about one plugin folder, whether or not it loaded.</summary>
public sealed record PluginInfo(
    string Id,
    string? Version,
    string? SdkRange,
    string Directory,
    PluginStatus Status,
    string? Error,
    IReadOnlyList<InjectorDescriptor> Injectors,
    IReadOnlyList<MetricProviderDescriptor> MetricProviders,
    IReadOnlyList<TargetDiscoveryDescriptor> TargetDiscoveries);
