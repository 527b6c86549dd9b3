using Faultline.Sdk.Plugins;

namespace Faultline.Plugins.Datadog;

/// <summary>Entry point of the datadog plugin.</summary>
public sealed class DatadogPlugin : IFaultlinePlugin
{
    public void Register(IPluginRegistrar registrar, PluginContext context)
    {
        ArgumentNullException.ThrowIfNull(registrar);

        // The provider lives as long as the host: its one HttpClient (and connection pool) and its memory of
        // exhausted rate limits are shared by every probe of every team.
        registrar.AddMetricProvider(new DatadogProvider());
    }
}
