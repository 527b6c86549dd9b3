using Faultline.Sdk.Plugins;

namespace Faultline.Plugins.Prometheus;

/// <summary>Entry point of the prometheus plugin.</summary>
public sealed class PrometheusPlugin : IFaultlinePlugin
{
    public void Register(IPluginRegistrar registrar, PluginContext context)
    {
        ArgumentNullException.ThrowIfNull(registrar);
        ArgumentNullException.ThrowIfNull(context);

        // The provider lives as long as the host: its cached clients (and connection pools) are never disposed early.
        // The host's log receives the warnings Prometheus attaches to an answer, which the result types cannot carry.
        registrar.AddMetricProvider(new PrometheusProvider(context.Log));
    }
}
