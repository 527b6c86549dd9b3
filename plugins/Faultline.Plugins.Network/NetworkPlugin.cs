using Faultline.Plugins.Network.Actions;
using Faultline.Plugins.Network.Discovery;
using Faultline.Plugins.Network.Engines;
using Faultline.Sdk.Plugins;

namespace Faultline.Plugins.Network;

/// <summary>
/// Registers one injector per network action (<c>network.delay</c>, <c>network.loss</c>, ...) over one shared
/// <see cref="NetworkFaults"/>, and the static-inventory target discovery. Settings: <c>inventory</c> (or the
/// environment variable FAULTLINE_NETWORK_INVENTORY), the path of the inventory JSON file.
/// </summary>
public sealed class NetworkPlugin : IFaultlinePlugin
{
    public const string InventoryVariable = "FAULTLINE_NETWORK_INVENTORY";

    public void Register(IPluginRegistrar registrar, PluginContext context)
    {
        ArgumentNullException.ThrowIfNull(registrar);
        ArgumentNullException.ThrowIfNull(context);
        var faults = new NetworkFaults(context.StateDirectory, new NfQueuePacketDelayer(context.Log), context.Log);
        foreach (var action in NetworkActions.All)
        {
            registrar.AddInjector(new NetworkInjector(action, faults));
        }

        registrar.AddTargetDiscovery(new StaticInventoryDiscovery(() =>
            context.Settings.TryGetValue("inventory", out var path) ? path : Environment.GetEnvironmentVariable(InventoryVariable)));
    }
}
