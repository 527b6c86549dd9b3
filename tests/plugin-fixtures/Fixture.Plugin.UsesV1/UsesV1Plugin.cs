using Faultline.Sdk.Plugins;
using Fixture.Common;

namespace Fixture.Plugin.UsesV1;

public sealed class UsesV1Plugin : IFaultlinePlugin
{
    public void Register(IPluginRegistrar registrar, PluginContext context) =>
        registrar.AddInjector(new MarkerInjector("fixture.v1", context.StateDirectory, "shared library " + Fixture.CommonLib.SharedLibrary.Version));
}
