using Faultline.Sdk.Plugins;

namespace Faultline.Plugins.Http;

/// <summary>Entry point of the http plugin.</summary>
public sealed class HttpPlugin : IFaultlinePlugin
{
    public void Register(IPluginRegistrar registrar, PluginContext context)
    {
        ArgumentNullException.ThrowIfNull(registrar);

        // The provider lives as long as the host: its one HttpClient (and connection pool) is never disposed early.
        registrar.AddMetricProvider(new HttpProbeProvider());
    }
}
