namespace Faultline.Sdk.Plugins;

/// <summary>
/// The entry point of a plugin: the entry assembly named in the manifest holds exactly one public class
/// implementing this, with a public parameterless constructor. <see cref="Register"/> adds the plugin's
/// injectors, metric providers and discovery providers; it should be quick and touch nothing outside.
/// </summary>
public interface IFaultlinePlugin
{
    void Register(IPluginRegistrar registrar, PluginContext context);
}
