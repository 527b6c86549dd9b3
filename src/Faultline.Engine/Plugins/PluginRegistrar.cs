using Faultline.Sdk.Discovery;
using Faultline.Sdk.Injection;
using Faultline.Sdk.Metrics;
using Faultline.Sdk.Plugins;

namespace Faultline.Engine.Plugins;

/// <summary>Collects one plugin's registrations; they become visible only if the whole plugin loads.</summary>
internal sealed class PluginRegistrar : IPluginRegistrar
{
    public List<IFaultInjector> Injectors { get; } = [];

    public List<IMetricProvider> MetricProviders { get; } = [];

    public List<ITargetDiscovery> TargetDiscoveries { get; } = [];

    public void AddInjector(IFaultInjector injector) => Injectors.Add(injector ?? throw new ArgumentNullException(nameof(injector)));

    public void AddMetricProvider(IMetricProvider provider) => MetricProviders.Add(provider ?? throw new ArgumentNullException(nameof(provider)));

    public void AddTargetDiscovery(ITargetDiscovery discovery) => TargetDiscoveries.Add(discovery ?? throw new ArgumentNullException(nameof(discovery)));
}
