using Faultline.Sdk.Discovery;
using Faultline.Sdk.Injection;
using Faultline.Sdk.Metrics;

namespace Faultline.Sdk.Plugins;

/// <summary>Where a plugin registers what it offers. Names are global: a second registration of a name is refused.</summary>
public interface IPluginRegistrar
{
    void AddInjector(IFaultInjector injector);

    void AddMetricProvider(IMetricProvider provider);

    void AddTargetDiscovery(ITargetDiscovery discovery);
}
