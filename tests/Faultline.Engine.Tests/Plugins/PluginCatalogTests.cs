using Faultline.Engine.Plugins;

namespace Faultline.Engine.Tests.Plugins;

public sealed class PluginCatalogTests : IDisposable
{
    private readonly PluginFolder _folder = new();

    [Fact]
    public void Two_plugins_carrying_different_versions_of_one_library_each_use_their_own()
    {
        _folder.Add("fixture.uses-v1");
        _folder.Add("fixture.uses-v2");

        var catalog = _folder.Load();

        Assert.All(catalog.Plugins, p => Assert.Equal(PluginStatus.Loaded, p.Status));
        Assert.Equal("shared library 1", catalog.FindInjector("fixture.v1")!.Descriptor.Description);
        Assert.Equal("shared library 2", catalog.FindInjector("fixture.v2")!.Descriptor.Description);
    }

    [Fact]
    public void The_built_in_process_plugin_loads_like_any_other()
    {
        _folder.Add("faultline.process");

        var catalog = _folder.Load();

        var plugin = Assert.Single(catalog.Plugins);
        Assert.True(plugin.Status == PluginStatus.Loaded, plugin.Error);
        Assert.NotNull(catalog.FindInjector("process.pause"));
        Assert.NotNull(catalog.FindTargetDiscovery("process"));
        Assert.False(File.Exists(Path.Combine(plugin.Directory, "Faultline.Sdk.dll")), "a plugin must not ship the SDK: the host provides it");
    }

    [Fact]
    public void A_plugin_built_for_another_sdk_contract_is_incompatible_and_registers_nothing()
    {
        _folder.Add("fixture.uses-v1");
        _folder.EditManifest("fixture.uses-v1", m => m["sdk"] = "[2.0.0, 3.0.0)");

        var catalog = _folder.Load();

        var plugin = Assert.Single(catalog.Plugins);
        Assert.Equal(PluginStatus.Incompatible, plugin.Status);
        Assert.Contains("[2.0.0, 3.0.0)", plugin.Error, StringComparison.Ordinal);
        Assert.Contains(Sdk.SdkInfo.ContractVersion.ToString(), plugin.Error, StringComparison.Ordinal);
        Assert.Null(catalog.FindInjector("fixture.v1"));
    }

    [Fact]
    public void A_missing_dependency_is_reported_at_load_naming_the_assembly()
    {
        _folder.Add("fixture.uses-v1");
        _folder.Delete("fixture.uses-v1", "Fixture.SharedLib.dll");

        var catalog = _folder.Load();

        var plugin = Assert.Single(catalog.Plugins);
        Assert.Equal(PluginStatus.Failed, plugin.Status);
        Assert.Contains("Missing dependency Fixture.SharedLib", plugin.Error, StringComparison.Ordinal);
        Assert.Null(catalog.FindInjector("fixture.v1"));
    }

    [Fact]
    public void A_plugin_throwing_while_loading_fails_alone_and_the_others_load()
    {
        _folder.Add("fixture.misbehaving");
        _folder.Add("fixture.uses-v2");

        var catalog = _folder.Load(new() { ["fixture.misbehaving"] = new Dictionary<string, string> { ["throwOnRegister"] = "true" } });

        var broken = catalog.Plugins.Single(p => p.Id == "fixture.misbehaving");
        Assert.Equal(PluginStatus.Failed, broken.Status);
        Assert.Contains("boom at load", broken.Error, StringComparison.Ordinal);
        Assert.Equal(PluginStatus.Loaded, catalog.Plugins.Single(p => p.Id == "fixture.uses-v2").Status);
        Assert.NotNull(catalog.FindInjector("fixture.v2"));
        Assert.Null(catalog.FindInjector("fixture.hang"));
    }

    [Fact]
    public void A_plugin_hanging_in_register_is_failed_after_the_deadline()
    {
        _folder.Add("fixture.misbehaving");

        var catalog = _folder.Load(
            new() { ["fixture.misbehaving"] = new Dictionary<string, string> { ["hangOnRegister"] = "true" } },
            new PluginTimeouts { Register = TimeSpan.FromMilliseconds(500) });

        var plugin = Assert.Single(catalog.Plugins);
        Assert.Equal(PluginStatus.Failed, plugin.Status);
        Assert.Contains("did not return", plugin.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void A_name_already_taken_fails_the_second_plugin_whole()
    {
        _folder.Add("fixture.uses-v1", "a-first");
        _folder.Add("fixture.misbehaving", "b-second");

        var catalog = _folder.Load(new() { ["fixture.misbehaving"] = new Dictionary<string, string> { ["clashWith"] = "fixture.v1" } });

        Assert.Equal(PluginStatus.Loaded, catalog.Plugins.Single(p => p.Id == "fixture.uses-v1").Status);
        var second = catalog.Plugins.Single(p => p.Id == "fixture.misbehaving");
        Assert.Equal(PluginStatus.Failed, second.Status);
        Assert.Contains("fixture.v1", second.Error, StringComparison.Ordinal);
        Assert.Null(catalog.FindInjector("fixture.hang"));
        Assert.Equal("shared library 1", catalog.FindInjector("fixture.v1")!.Descriptor.Description);
    }

    [Theory]
    [InlineData("{ not json", "not valid JSON")]
    [InlineData("""{"id":"Bad Id!","version":"one","sdk":"whatever","entryAssembly":"../escape.dll"}""", "id must be")]
    [InlineData("""{"id":"ok.id","version":"1.0.0","sdk":"[1.0.0, 2.0.0)","entryAssembly":"Missing.dll"}""", "Entry assembly Missing.dll is not in the plugin folder")]
    public void Broken_manifests_are_reported_with_what_is_wrong(string manifest, string expected)
    {
        _folder.WriteManifest("broken", manifest);

        var plugin = Assert.Single(_folder.Load().Plugins);

        Assert.Equal(PluginStatus.Failed, plugin.Status);
        Assert.Contains(expected, plugin.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void All_manifest_errors_are_reported_at_once()
    {
        _folder.WriteManifest("broken", """{"id":"Bad Id!","version":"one","sdk":"whatever","entryAssembly":"../escape.dll"}""");

        var error = Assert.Single(_folder.Load().Plugins).Error!;

        Assert.Contains("id must be", error, StringComparison.Ordinal);
        Assert.Contains("version 'one'", error, StringComparison.Ordinal);
        Assert.Contains("sdk 'whatever'", error, StringComparison.Ordinal);
        Assert.Contains("entryAssembly", error, StringComparison.Ordinal);
    }

    [Fact]
    public void The_same_plugin_id_in_two_folders_loads_once()
    {
        _folder.Add("fixture.uses-v1", "copy-a");
        _folder.Add("fixture.uses-v1", "copy-b");

        var catalog = _folder.Load();

        Assert.Single(catalog.Plugins, p => p.Status == PluginStatus.Loaded);
        Assert.Contains("already loaded", catalog.Plugins.Single(p => p.Status == PluginStatus.Failed).Error, StringComparison.Ordinal);
    }

    public void Dispose() => _folder.Dispose();
}
