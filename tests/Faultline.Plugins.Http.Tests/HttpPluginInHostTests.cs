using Faultline.Sdk.Testing;
using System.Text.Json;
using Faultline.Engine.Plugins;
using Faultline.Sdk.Metrics;
using Faultline.Sdk.Plugins;
using Faultline.Testing;

namespace Faultline.Plugins.Http.Tests;

/// <summary>The staged plugin, loaded and called by the real plugin host in its own load context.</summary>
public sealed class HttpPluginInHostTests : IAsyncLifetime
{
    private static readonly string Staged = StagedPlugin.Folder("faultline.http");

    private readonly string _plugins = Directory.CreateTempSubdirectory("faultline-plugins-").FullName;
    private readonly string _stateRoot = Directory.CreateTempSubdirectory("faultline-plugin-state-").FullName;
    private ProbeTargetServer _server = null!;

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync() => _server = await ProbeTargetServer.StartAsync(Token);

    [Fact]
    public async Task The_staged_plugin_loads_and_its_provider_answers_through_the_host()
    {
        var catalog = StagedPlugin.LoadAlone("faultline.http", _plugins, _stateRoot);

        var plugin = Assert.Single(catalog.Plugins);
        Assert.True(plugin.Status == PluginStatus.Loaded, $"faultline.http is {plugin.Status}: {plugin.Error}");
        Assert.Equal("http", Assert.Single(plugin.MetricProviders).Name);
        Assert.Empty(plugin.Injectors);
        Assert.Empty(plugin.TargetDiscoveries);
        Assert.False(File.Exists(Path.Combine(Staged, "Faultline.Sdk.dll")), "The plugin folder ships Faultline.Sdk.dll, which only the host may provide.");

        var provider = catalog.FindMetricProvider("http")!;
        var query = new MetricQuery("status:500", JsonSerializer.SerializeToElement(new { url = _server.Url("/mix/3"), requests = 6, concurrency = 2 }));
        Assert.True((await provider.ValidateAsync(query, Token)).IsValid);
        var result = await provider.QueryInstantAsync(query, DateTimeOffset.UtcNow, Token);

        Assert.Equal(2, Assert.Single(result.Samples).Value);
        Assert.Equal(6, _server.Hits("/mix/3"));
    }

    [Fact]
    public void Register_adds_the_http_provider_and_nothing_else()
    {
        var registrar = new RecordingRegistrar();

        new HttpPlugin().Register(registrar, new PluginContext(AppContext.BaseDirectory, _stateRoot, new Dictionary<string, string>(), new SilentLog()));

        var provider = Assert.IsType<HttpProbeProvider>(Assert.Single(registrar.MetricProviders));
        Assert.Equal("http", provider.Name);
        Assert.Empty(registrar.Injectors);
        Assert.Empty(registrar.TargetDiscoveries);
        provider.Dispose();
    }

    public async ValueTask DisposeAsync()
    {
        await _server.DisposeAsync();
        Directory.Delete(_plugins, recursive: true);
        Directory.Delete(_stateRoot, recursive: true);
    }
}
