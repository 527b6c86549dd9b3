using Faultline.Sdk.Plugins;
using Fixture.Common;

namespace Fixture.Plugin.UsesV2;

public sealed class UsesV2Plugin : IFaultlinePlugin
{
    public void Register(IPluginRegistrar registrar, PluginContext context) =>
        registrar.AddInjector(new MarkerInjector("fixture.v2", context.StateDirectory, "shared library " + Fixture.CommonLib.SharedLibrary.Version));
}
