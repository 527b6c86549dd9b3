using Faultline.Engine.Plugins;
using Microsoft.Extensions.Logging.Abstractions;
using Xunit;

namespace Faultline.Testing;

/// <summary>
/// The real plugin host over a private copy of one staged plugin folder (<c>artifacts/plugins/&lt;id&gt;</c>, staged
/// when the plugin project builds): the host sees this plugin alone, whatever else is staged, and its state
/// directory is a fresh temporary one. Both folders are removed on dispose.
/// </summary>
public sealed class StagedPluginHost : IDisposable
{
    private readonly string _plugins = Directory.CreateTempSubdirectory("faultline-plugins-").FullName;

    public StagedPluginHost(string pluginId)
    {
        PluginId = pluginId;
        Staged = Path.Combine(RepositoryRoot.Path, "artifacts", "plugins", pluginId);
    }

    public string PluginId { get; }

    /// <summary>The staged folder the copy is taken from.</summary>
    public string Staged { get; }

    public string StateRoot { get; } = Directory.CreateTempSubdirectory("faultline-plugin-state-").FullName;

    /// <summary>Copies the staged folder (once) and loads it with the real <see cref="PluginCatalog"/>.</summary>
    public PluginCatalog Load()
    {
        Assert.True(File.Exists(Path.Combine(Staged, "faultline-plugin.json")), $"{Staged} is not staged: build the plugin project first.");
        var folder = Path.Combine(_plugins, PluginId);
        if (!Directory.Exists(folder))
        {
            Directory.CreateDirectory(folder);
            foreach (var file in Directory.GetFiles(Staged))
            {
                File.Copy(file, Path.Combine(folder, Path.GetFileName(file)));
            }
        }

        return new PluginCatalog(new PluginHostOptions { SearchPaths = [_plugins], StateRoot = StateRoot }, NullLogger<PluginCatalog>.Instance);
    }

    public void Dispose()
    {
        Directory.Delete(_plugins, recursive: true);
        Directory.Delete(StateRoot, recursive: true);
    }
}
