using Faultline.Engine.Plugins;
using Microsoft.Extensions.Logging.Abstractions;
using Xunit;

namespace Faultline.Testing;

/// <summary>One of Faultline's own plugins as the build staged it (<c>artifacts/plugins/&lt;id&gt;/</c>), loaded by the real host.</summary>
public static class StagedPlugin
{
    public static string Folder(string id) => Path.Combine(RepositoryRoot.Path, "artifacts", "plugins", id);

    /// <summary>
    /// Copies the staged folder into <paramref name="searchPath"/> and loads that search path: a private copy, so
    /// the host sees this plugin alone, whatever else is staged.
    /// </summary>
    public static PluginCatalog LoadAlone(string id, string searchPath, string stateRoot)
    {
        var staged = Folder(id);
        Assert.True(File.Exists(Path.Combine(staged, "faultline-plugin.json")), $"{staged} is not staged: build the plugin's project first.");
        var folder = Directory.CreateDirectory(Path.Combine(searchPath, id)).FullName;
        foreach (var file in Directory.GetFiles(staged))
        {
            File.Copy(file, Path.Combine(folder, Path.GetFileName(file)));
        }

        return new PluginCatalog(new PluginHostOptions { SearchPaths = [searchPath], StateRoot = stateRoot }, NullLogger<PluginCatalog>.Instance);
    }
}
