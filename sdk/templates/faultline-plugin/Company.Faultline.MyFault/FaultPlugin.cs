using Faultline.Sdk.Plugins;

namespace Company.Faultline.MyFault;

/// <summary>
/// The entry point the host looks for: the one public <see cref="IFaultlinePlugin"/> of the entry assembly named
/// in faultline-plugin.json. Register only creates objects; it must be quick and touch nothing on the machine.
/// </summary>
public sealed class FaultPlugin : IFaultlinePlugin
{
    public void Register(IPluginRegistrar registrar, PluginContext context)
    {
        ArgumentNullException.ThrowIfNull(registrar);
        ArgumentNullException.ThrowIfNull(context);

        // The state directory survives restarts: keep intent markers there when your fault leaves nothing on the
        // target that names it. The marker file below names its fault itself, so it does not need one.
        registrar.AddInjector(new MarkerFileInjector());
    }
}
