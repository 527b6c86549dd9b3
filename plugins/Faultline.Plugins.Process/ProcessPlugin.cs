using Faultline.Sdk.Plugins;

namespace Faultline.Plugins.Process;

/// <summary>Entry point of the process plugin.</summary>
public sealed class ProcessPlugin : IFaultlinePlugin
{
    public void Register(IPluginRegistrar registrar, PluginContext context)
    {
        registrar.AddInjector(new ProcessPauseInjector(context.StateDirectory));
        registrar.AddTargetDiscovery(new LocalProcessDiscovery());
    }
}
