using Faultline.Sdk.Plugins;

namespace Faultline.Plugins.Noop;

/// <summary>Entry point of the noop plugin.</summary>
public sealed class NoopPlugin : IFaultlinePlugin
{
    public void Register(IPluginRegistrar registrar, PluginContext context)
    {
        ArgumentNullException.ThrowIfNull(registrar);
        ArgumentNullException.ThrowIfNull(context);
        registrar.AddInjector(new NoopInjector(context.StateDirectory));
    }
}
