using Faultline.Sdk.Discovery;
using Faultline.Sdk.Injection;
using Faultline.Sdk.Metrics;
using Faultline.Sdk.Plugins;

namespace Faultline.Sdk.Testing;

/// <summary>Keeps what a plugin registers, to check Register without loading the plugin into a host.</summary>
public sealed class RecordingRegistrar : IPluginRegistrar
{
    public List<IFaultInjector> Injectors { get; } = [];

    public List<IMetricProvider> MetricProviders { get; } = [];

    public List<ITargetDiscovery> TargetDiscoveries { get; } = [];

    public void AddInjector(IFaultInjector injector) => Injectors.Add(injector);

    public void AddMetricProvider(IMetricProvider provider) => MetricProviders.Add(provider);

    public void AddTargetDiscovery(ITargetDiscovery discovery) => TargetDiscoveries.Add(discovery);
}
