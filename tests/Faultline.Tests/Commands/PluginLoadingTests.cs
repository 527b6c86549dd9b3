using System.Net;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;

namespace Faultline.Tests.Commands;

/// <summary>Plugins dropped into a folder are picked up by a started node and by the CLI, broken ones reported.</summary>
public sealed class PluginLoadingTests(PostgresServer postgres) : IDisposable
{
    private readonly string _plugins = Directory.CreateTempSubdirectory("faultline-node-plugins-").FullName;
    private readonly string _state = Directory.CreateTempSubdirectory("faultline-node-state-").FullName;

    [Fact]
    public async Task A_started_node_lists_the_plugins_of_FAULTLINE_PLUGIN_PATH_with_their_status()
    {
        Stage("faultline.process", Path.Combine(RepositoryRoot.Path, "artifacts", "plugins"));
        var incompatible = Stage("fixture.uses-v1", Path.Combine(RepositoryRoot.Path, "artifacts", "plugin-fixtures"));
        EditManifest(incompatible, "sdk", "[2.0.0, 3.0.0)");

        await using var node = FaultlineProcess.Start(
            new Dictionary<string, string?>
            {
                ["FAULTLINE_DB"] = await postgres.CreateDatabaseAsync("pluginloading"),
                ["FAULTLINE_PLUGIN_PATH"] = _plugins,
                ["FAULTLINE_STATE_DIR"] = _state,
            },
            "server", "--port", "0");
        var key = (await node.WaitForLineAsync(@"FAULTLINE_API_KEY=(flk_\S+)", TimeSpan.FromSeconds(90))).Groups[1].Value;
        var address = new Uri((await node.WaitForLineAsync(@"Faultline is up at (http://127\.0\.0\.1:\d+)", TimeSpan.FromSeconds(90))).Groups[1].Value);
        using var client = LoopbackHttp.CreateClient(address);
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);

        var response = await client.GetAsync("/api/v1/plugins", TestContext.Current.CancellationToken);
        var items = (await response.ReadJsonAsync()).GetProperty("items").EnumerateArray().ToDictionary(p => p.GetProperty("id").GetString()!);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("loaded", items["faultline.process"].GetProperty("status").GetString());
        Assert.Equal("incompatible", items["fixture.uses-v1"].GetProperty("status").GetString());
        Assert.Contains("[2.0.0, 3.0.0)", items["fixture.uses-v1"].GetProperty("error").GetString(), StringComparison.Ordinal);
        Assert.True(Directory.Exists(Path.Combine(_state, "plugins", "faultline.process")), "the plugin's state directory lives under FAULTLINE_STATE_DIR");
    }

    [Fact]
    public async Task The_cli_lists_plugins_and_exits_non_zero_when_one_is_broken()
    {
        Stage("faultline.process", Path.Combine(RepositoryRoot.Path, "artifacts", "plugins"));
        await using (var healthy = FaultlineProcess.Start(new Dictionary<string, string?>(), "plugins", "list", "--plugin-path", _plugins))
        {
            Assert.Equal(0, await healthy.WaitForExitAsync(TimeSpan.FromSeconds(60)));
            Assert.Contains("faultline.process 1.0.0", healthy.Output, StringComparison.Ordinal);
            Assert.Contains("process.pause", healthy.Output, StringComparison.Ordinal);
        }

        Directory.CreateDirectory(Path.Combine(_plugins, "broken"));
        await File.WriteAllTextAsync(Path.Combine(_plugins, "broken", "faultline-plugin.json"), "{ nope", TestContext.Current.CancellationToken);
        await using var broken = FaultlineProcess.Start(new Dictionary<string, string?>(), "plugins", "list", "--plugin-path", _plugins);

        Assert.Equal(1, await broken.WaitForExitAsync(TimeSpan.FromSeconds(60)));
        Assert.Contains("broken", broken.Output, StringComparison.Ordinal);
        Assert.Contains("Failed", broken.Output, StringComparison.Ordinal);
    }

    public void Dispose()
    {
        Directory.Delete(_plugins, recursive: true);
        Directory.Delete(_state, recursive: true);
    }

    private string Stage(string id, string from)
    {
        var target = Path.Combine(_plugins, id);
        Directory.CreateDirectory(target);
        foreach (var file in Directory.GetFiles(Path.Combine(from, id)))
        {
            File.Copy(file, Path.Combine(target, Path.GetFileName(file)));
        }

        return target;
    }

    private static void EditManifest(string folder, string field, string value)
    {
        var path = Path.Combine(folder, "faultline-plugin.json");
        var manifest = JsonNode.Parse(File.ReadAllText(path))!.AsObject();
        manifest[field] = value;
        File.WriteAllText(path, manifest.ToJsonString());
    }
}
