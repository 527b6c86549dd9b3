using Faultline.Engine.Plugins;
using Faultline.Sdk.Plugins;
using Faultline.Sdk.Testing;
using Faultline.Testing;

namespace Faultline.Plugins.Prometheus.Tests;

/// <summary>The staged plugin, loaded and called by the real plugin host in its own load context, against the real Prometheus.</summary>
public sealed class PrometheusPluginInHostTests(ScrapedPrometheus prometheus) : IClassFixture<ScrapedPrometheus>, IDisposable
{
    private readonly StagedPluginHost _host = new("faultline.prometheus");

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task The_staged_plugin_loads_and_its_provider_answers_through_the_host()
    {
        var server = await prometheus.StartAsync();
        prometheus.Target.Set("faultline_test_in_host", 12);
        var catalog = _host.Load();

        var plugin = Assert.Single(catalog.Plugins);
        Assert.True(plugin.Status == PluginStatus.Loaded, $"faultline.prometheus is {plugin.Status}: {plugin.Error}");
        Assert.Equal("prometheus", Assert.Single(plugin.MetricProviders).Name);
        Assert.Empty(plugin.Injectors);
        Assert.Empty(plugin.TargetDiscoveries);
        Assert.False(File.Exists(Path.Combine(_host.Staged, "Faultline.Sdk.dll")), "The plugin folder ships Faultline.Sdk.dll, which only the host may provide.");

        var provider = catalog.FindMetricProvider("prometheus")!;
        var query = Queries.Of("faultline_test_in_host", prometheus.Configuration);
        Assert.True((await provider.ValidateAsync(query, Token)).IsValid);

        var result = await Eventually.InstantAsync(
            () => provider.QueryInstantAsync(query, DateTimeOffset.UtcNow, Token), r => r.Samples.Any(s => s.Value == 12), "the host's provider returns the scraped 12", server);

        Assert.Equal(12, Assert.Single(result.Samples).Value);
        var range = await provider.QueryRangeAsync(query, Queries.LastSeconds(30, TimeSpan.FromSeconds(1)), Token);
        Assert.False(range.IsEmpty);
    }

    [Fact]
    public void Register_adds_the_prometheus_provider_and_nothing_else()
    {
        var registrar = new RecordingRegistrar();

        new PrometheusPlugin().Register(registrar, new PluginContext(AppContext.BaseDirectory, _host.StateRoot, new Dictionary<string, string>(), new RecordingLog()));

        var provider = Assert.IsType<PrometheusProvider>(Assert.Single(registrar.MetricProviders));
        Assert.Equal("prometheus", provider.Name);
        Assert.Empty(registrar.Injectors);
        Assert.Empty(registrar.TargetDiscoveries);
        provider.Dispose();
    }

    public void Dispose() => _host.Dispose();
}
