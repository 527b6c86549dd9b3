using System.Reflection;
using System.Runtime.Loader;

namespace Faultline.Engine.Plugins;

/// <summary>
/// One plugin's own assembly world. Its dependencies come from its folder (its deps.json), so two plugins
/// may carry different versions of one library. Only the SDK contract assembly is shared with the host, so
/// the host and the plugin agree on the interface types; framework assemblies fall through to the default
/// context as usual.
/// </summary>
public sealed class PluginLoadContext(string entryAssemblyPath, string pluginId)
    : AssemblyLoadContext($"plugin:{pluginId}", isCollectible: false)
{
    private static readonly string SharedContract = typeof(Sdk.SdkInfo).Assembly.GetName().Name!;
    private readonly AssemblyDependencyResolver _resolver = new(entryAssemblyPath);

    protected override Assembly? Load(AssemblyName assemblyName)
    {
        if (string.Equals(assemblyName.Name, SharedContract, StringComparison.Ordinal))
        {
            return null;
        }

        var path = _resolver.ResolveAssemblyToPath(assemblyName);
        return path is null ? null : LoadFromAssemblyPath(path);
    }

    protected override IntPtr LoadUnmanagedDll(string unmanagedDllName)
    {
        var path = _resolver.ResolveUnmanagedDllToPath(unmanagedDllName);
        return path is null ? IntPtr.Zero : LoadUnmanagedDllFromPath(path);
    }
}
