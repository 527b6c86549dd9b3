using Faultline.Sdk.Plugins;

namespace Fixture.Plugin.Misbehaving;

/// <summary>
/// Settings pick the failure: throwOnRegister, hangOnRegister, clashWith (an injector name to register twice);
/// witnessDirectory adds <see cref="WitnessInjector"/>.
/// </summary>
public sealed class MisbehavingPlugin : IFaultlinePlugin
{
    public void Register(IPluginRegistrar registrar, PluginContext context)
    {
        if (context.Settings.ContainsKey("throwOnRegister"))
        {
            throw new InvalidOperationException("boom at load");
        }

        if (context.Settings.ContainsKey("hangOnRegister"))
        {
            Thread.Sleep(Timeout.Infinite);
        }

        registrar.AddInjector(new HangingInjector(context.StateDirectory));
        registrar.AddInjector(new ThrowingInjector(context.StateDirectory));
        registrar.AddInjector(new SlowVerifyInjector(context.StateDirectory));
        if (context.Settings.TryGetValue("witnessDirectory", out var witnessDirectory))
        {
            registrar.AddInjector(new WitnessInjector(context.StateDirectory, witnessDirectory));
        }

        if (context.Settings.TryGetValue("clashWith", out var name))
        {
            registrar.AddInjector(new Fixture.Common.MarkerInjector(name, context.StateDirectory, "a name another plugin already uses"));
        }
    }
}
