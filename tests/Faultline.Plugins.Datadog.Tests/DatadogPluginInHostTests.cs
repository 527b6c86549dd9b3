using Faultline.Engine.Plugins;
using Faultline.Sdk.Metrics;
using Faultline.Sdk.Plugins;
using Faultline.Sdk.Testing;
using Faultline.Testing;

namespace Faultline.Plugins.Datadog.Tests;

/// <summary>The staged plugin, loaded and called by the real plugin host in its own load context.</summary>
public sealed class DatadogPluginInHostTests : IAsyncLifetime
{
    private readonly StagedPluginHost _host = new("faultline.datadog");
    private FakeDatadog _server = null!;

    public async ValueTask InitializeAsync() => _server = await FakeDatadog.StartAsync(Probe.Token);

    [Fact]
    public async Task The_staged_plugin_loads_and_its_provider_answers_through_the_host()
    {
        _server.SetSeries("avg:system.load.1{*}", """[{"metric":"system.load.1","scope":"*","tag_set":[],"pointlist":[[1767225600000,null],[1767225620000,0.75]]}]""");
        _server.SetMonitor(31, "Alert");
        var catalog = _host.Load();

        var plugin = Assert.Single(catalog.Plugins);
        Assert.True(plugin.Status == PluginStatus.Loaded, $"faultline.datadog is {plugin.Status}: {plugin.Error}");
        Assert.Equal("datadog", Assert.Single(plugin.MetricProviders).Name);
        Assert.Empty(plugin.Injectors);
        Assert.Empty(plugin.TargetDiscoveries);
        Assert.False(File.Exists(Path.Combine(_host.Staged, "Faultline.Sdk.dll")), "The plugin folder ships Faultline.Sdk.dll, which only the host may provide.");

        var provider = catalog.FindMetricProvider("datadog")!;
        var query = Probe.Of(_server, "avg:system.load.1{*}");
        Assert.True((await provider.ValidateAsync(query, Probe.Token)).IsValid);
        var instant = await provider.QueryInstantAsync(query, DateTimeOffset.UtcNow, Probe.Token);
        var monitor = await provider.QueryInstantAsync(Probe.Of(_server, "monitor:31"), DateTimeOffset.UtcNow, Probe.Token);

        Assert.Equal(0.75, Assert.Single(instant.Samples).Value);
        Assert.Equal(1, Assert.Single(monitor.Samples).Value);
        Assert.All(_server.Calls, call => Assert.True(call.KeysAccepted));
    }

    [Fact]
    public async Task A_provider_failure_reaches_the_host_as_a_MetricProviderException_with_its_message()
    {
        _server.Script(Reply.Error(403, "Forbidden"));
        var provider = _host.Load().FindMetricProvider("datadog")!;

        var failure = await Assert.ThrowsAsync<PluginCallException>(async () =>
            await provider.QueryInstantAsync(Probe.Of(_server, "avg:system.load.1{*}"), DateTimeOffset.UtcNow, Probe.Token));

        // The host's wrapper names the type and keeps the message: what the run's probe reading will say.
        Assert.IsType<MetricProviderException>(failure.InnerException);
        Assert.Contains("MetricProviderException: Datadog rejected the API key or application key", failure.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(FakeDatadog.ApiKey, failure.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Register_adds_the_datadog_provider_and_nothing_else()
    {
        var registrar = new RecordingRegistrar();

        new DatadogPlugin().Register(registrar, new PluginContext(AppContext.BaseDirectory, _host.StateRoot, new Dictionary<string, string>(), new SilentPluginLog()));

        var provider = Assert.IsType<DatadogProvider>(Assert.Single(registrar.MetricProviders));
        Assert.Equal("datadog", provider.Name);
        Assert.Empty(registrar.Injectors);
        Assert.Empty(registrar.TargetDiscoveries);
        provider.Dispose();
    }

    public async ValueTask DisposeAsync()
    {
        await _server.DisposeAsync();
        _host.Dispose();
    }
}
