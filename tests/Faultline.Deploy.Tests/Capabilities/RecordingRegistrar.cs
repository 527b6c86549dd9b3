using Faultline.Sdk.Discovery;
using Faultline.Sdk.Injection;
using Faultline.Sdk.Metrics;
using Faultline.Sdk.Plugins;

namespace Faultline.Deploy.Tests.Capabilities;

/// <summary>Keeps the injectors a plugin registers, to read what each declares it needs from its host.</summary>
internal sealed class RecordingRegistrar : IPluginRegistrar
{
    public List<IFaultInjector> Injectors { get; } = [];

    public void AddInjector(IFaultInjector injector) => Injectors.Add(injector);

    public void AddMetricProvider(IMetricProvider provider)
    {
    }

    public void AddTargetDiscovery(ITargetDiscovery discovery)
    {
    }
}
