using System.Text.Json.Nodes;
using Faultline.Engine.Plugins;
using Microsoft.Extensions.Logging.Abstractions;

namespace Faultline.Engine.Tests.Plugins;

/// <summary>A temporary plugins directory assembled from staged plugins, edited the way a careless installer might.</summary>
internal sealed class PluginFolder : IDisposable
{
    private static readonly string Fixtures = Path.Combine(RepositoryRoot.Path, "artifacts", "plugin-fixtures");
    private static readonly string BuiltIn = Path.Combine(RepositoryRoot.Path, "artifacts", "plugins");

    public string Root { get; } = Directory.CreateTempSubdirectory("faultline-plugins-").FullName;

    public string StateRoot { get; } = Directory.CreateTempSubdirectory("faultline-plugin-state-").FullName;

    public string Add(string id, string? asFolder = null)
    {
        var source = Directory.Exists(Path.Combine(Fixtures, id)) ? Path.Combine(Fixtures, id) : Path.Combine(BuiltIn, id);
        Assert.True(Directory.Exists(source), $"{source} is not staged: build the fixture plugins first.");
        var target = Path.Combine(Root, asFolder ?? id);
        Directory.CreateDirectory(target);
        foreach (var file in Directory.GetFiles(source))
        {
            File.Copy(file, Path.Combine(target, Path.GetFileName(file)));
        }

        return target;
    }

    public void EditManifest(string folder, Action<JsonObject> edit)
    {
        var path = Path.Combine(Root, folder, "faultline-plugin.json");
        var manifest = JsonNode.Parse(File.ReadAllText(path))!.AsObject();
        edit(manifest);
        File.WriteAllText(path, manifest.ToJsonString());
    }

    public void WriteManifest(string folder, string text)
    {
        Directory.CreateDirectory(Path.Combine(Root, folder));
        File.WriteAllText(Path.Combine(Root, folder, "faultline-plugin.json"), text);
    }

    public void Delete(string folder, string file) => File.Delete(Path.Combine(Root, folder, file));

    public PluginCatalog Load(Dictionary<string, IReadOnlyDictionary<string, string>>? settings = null, PluginTimeouts? timeouts = null) =>
        new(new PluginHostOptions
        {
            SearchPaths = [Root],
            StateRoot = StateRoot,
            Settings = settings ?? [],
            Timeouts = timeouts ?? new PluginTimeouts(),
        }, NullLogger<PluginCatalog>.Instance);

    public void Dispose()
    {
        Directory.Delete(Root, recursive: true);
        Directory.Delete(StateRoot, recursive: true);
    }
}
