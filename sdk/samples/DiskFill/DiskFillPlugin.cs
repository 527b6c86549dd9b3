using Faultline.Sdk.Plugins;

namespace Acme.Faultline.DiskFill;

/// <summary>
/// The entry point the host looks for: the one public <see cref="IFaultlinePlugin"/> of the entry assembly named
/// in faultline-plugin.json. Registration only creates objects; it touches nothing on the machine.
/// </summary>
public sealed class DiskFillPlugin : IFaultlinePlugin
{
    public void Register(IPluginRegistrar registrar, PluginContext context)
    {
        ArgumentNullException.ThrowIfNull(registrar);

        // The fill file is its own marker (its name carries the fault id), so the injector needs no state directory.
        registrar.AddInjector(new DiskFillInjector());
    }
}
