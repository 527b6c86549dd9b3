using System.Text.Json;
using Faultline.Domain.Experiments;
using Faultline.Engine.Plugins;
using Faultline.Engine.Runs;
using Faultline.Engine.Tests.Plugins;

namespace Faultline.Engine.Tests.Runs;

/// <summary>
/// Probes and guardrails measured through the staged http provider, loaded by the real plugin host, against a
/// real loopback endpoint whose health the test switches.
/// </summary>
public sealed class ProbeSamplerHttpTests : IAsyncLifetime
{
    private static readonly Tolerance AllSucceed = new(null, null, null, 1, null, null);

    private readonly PluginFolder _folder = new();
    private HealthEndpoint _endpoint = null!;
    private ProbeSampler _sampler = null!;

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _folder.Add("faultline.http");
        var catalog = _folder.Load();
        var plugin = Assert.Single(catalog.Plugins);
        Assert.True(plugin.Status == PluginStatus.Loaded, $"faultline.http is {plugin.Status}: {plugin.Error}");
        _sampler = new ProbeSampler(catalog, TimeProvider.System);
        _endpoint = await HealthEndpoint.StartAsync();
    }

    [Fact]
    public async Task A_healthy_endpoint_holds_a_success_ratio_of_one()
    {
        var reading = await _sampler.SampleAsync(Probe(Configuration(_endpoint.Url)), ProbePhases.Baseline, null, Token);

        Assert.Equal("health", reading.Name);
        Assert.Equal(ProbePhases.Baseline, reading.Phase);
        Assert.Equal(1, reading.Value);
        Assert.True(reading.Held, reading.Detail);
        Assert.False(reading.ProviderFailed);
        Assert.Equal("value 1 within >= 1", reading.Detail);
        Assert.True(_endpoint.Requests >= 1);
    }

    [Fact]
    public async Task An_unhealthy_endpoint_measures_zero_and_does_not_hold()
    {
        _endpoint.Healthy = false;

        var reading = await _sampler.SampleAsync(Probe(Configuration(_endpoint.Url)), ProbePhases.During, null, Token);

        Assert.Equal(0, reading.Value);
        Assert.False(reading.Held);
        Assert.False(reading.ProviderFailed);
        Assert.Equal("value 0 outside >= 1", reading.Detail);
    }

    [Fact]
    public async Task Switching_the_endpoint_back_to_healthy_is_seen_at_the_next_sample()
    {
        var probe = Probe(Configuration(_endpoint.Url));

        _endpoint.Healthy = false;
        var during = await _sampler.SampleAsync(probe, ProbePhases.During, null, Token);
        _endpoint.Healthy = true;
        var recovery = await _sampler.SampleAsync(probe, ProbePhases.Recovery, null, Token);

        Assert.False(during.Held);
        Assert.True(recovery.Held, recovery.Detail);
    }

    [Fact]
    public async Task An_unknown_provider_is_a_provider_failure_counted_as_a_breach()
    {
        var reading = await _sampler.SampleAsync(Probe(Configuration(_endpoint.Url)) with { Provider = "prometheus" }, ProbePhases.Baseline, null, Token);

        Assert.True(reading.ProviderFailed);
        Assert.False(reading.Held);
        Assert.Null(reading.Value);
        Assert.Contains("no metric provider named 'prometheus'", reading.Detail, StringComparison.Ordinal);
        Assert.Contains("counted as a breach", reading.Detail, StringComparison.Ordinal);
        Assert.Equal(0, _endpoint.Requests);
    }

    [Fact]
    public async Task An_unknown_provider_holds_when_the_probe_ignores_provider_errors()
    {
        var probe = Probe(Configuration(_endpoint.Url)) with { Provider = "prometheus", OnProviderError = ProviderErrorPolicy.Ignore };

        var reading = await _sampler.SampleAsync(probe, ProbePhases.Baseline, null, Token);

        Assert.True(reading.ProviderFailed);
        Assert.True(reading.Held);
        Assert.Null(reading.Value);
        Assert.Contains("ignored", reading.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_query_the_provider_rejects_is_a_provider_failure()
    {
        var reading = await _sampler.SampleAsync(Probe(Configuration(_endpoint.Url)) with { Query = "uptime" }, ProbePhases.Baseline, null, Token);

        Assert.True(reading.ProviderFailed);
        Assert.False(reading.Held);
        Assert.Null(reading.Value);
        Assert.StartsWith("http failed:", reading.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_configuration_the_provider_rejects_is_a_provider_failure_that_may_be_ignored()
    {
        var configuration = JsonSerializer.SerializeToElement(new { timeout = "2s" });

        var abort = await _sampler.SampleAsync(Probe(configuration), ProbePhases.Baseline, null, Token);
        var ignore = await _sampler.SampleAsync(Probe(configuration) with { OnProviderError = ProviderErrorPolicy.Ignore }, ProbePhases.Baseline, null, Token);

        Assert.True(abort.ProviderFailed);
        Assert.False(abort.Held);
        Assert.True(ignore.ProviderFailed);
        Assert.True(ignore.Held);
    }

    [Fact]
    public async Task A_stopped_endpoint_is_measured_as_failing_not_ignored_as_an_unreachable_provider()
    {
        var stopped = await HealthEndpoint.StartAsync();
        var url = stopped.Url;
        await stopped.DisposeAsync();

        var abort = await _sampler.SampleAsync(Probe(Configuration(url)), ProbePhases.During, null, Token);
        var ignore = await _sampler.SampleAsync(Probe(Configuration(url)) with { OnProviderError = ProviderErrorPolicy.Ignore }, ProbePhases.During, null, Token);

        // The http provider answers for a dead service: a refused connection is a failed request (success ratio 0),
        // which is what the experiment looks for. "Ignore provider errors" must not turn a dead service into a pass.
        Assert.Equal(0, abort.Value);
        Assert.False(abort.Held);
        Assert.False(abort.ProviderFailed);
        Assert.Equal(0, ignore.Value);
        Assert.False(ignore.Held);
        Assert.False(ignore.ProviderFailed);
    }

    [Fact]
    public async Task A_probe_over_a_window_is_measured_through_a_range_query()
    {
        var probe = Probe(Configuration(_endpoint.Url, requests: 4)) with { Window = TimeSpan.FromSeconds(30), Aggregation = Aggregation.Avg };

        var reading = await _sampler.SampleAsync(probe, ProbePhases.Baseline, null, Token);

        Assert.Equal(1, reading.Value);
        Assert.True(reading.Held, reading.Detail);
        Assert.Equal(4, _endpoint.Requests);
    }

    [Fact]
    public async Task A_relative_tolerance_is_judged_against_the_baseline()
    {
        var probe = Probe(Configuration(_endpoint.Url)) with { Tolerance = new Tolerance(null, null, null, null, null, 10) };

        var baseline = await _sampler.SampleAsync(probe, ProbePhases.Baseline, null, Token);
        _endpoint.Healthy = false;
        var during = await _sampler.SampleAsync(probe, ProbePhases.During, baseline.Value, Token);

        Assert.Equal(1, baseline.Value);
        Assert.False(baseline.Held, "without a baseline the sampler cannot judge a relative tolerance (the run actor re-judges the baseline phase)");
        Assert.False(during.Held);
        Assert.Equal(1, during.Baseline);
        Assert.Equal("value 0 outside at most 10% below baseline 1", during.Detail);
    }

    [Fact]
    public async Task A_guardrail_watches_the_error_count()
    {
        var guardrail = new Guardrail("errors", "http", "error_count", Configuration(_endpoint.Url, requests: 3), new Tolerance(1, null, null, null, null, null), Guardrail.DefaultInterval, ProviderErrorPolicy.Abort);

        var healthy = await _sampler.SampleAsync(guardrail, ProbePhases.During, null, Token);
        _endpoint.Healthy = false;
        var unhealthy = await _sampler.SampleAsync(guardrail, ProbePhases.During, null, Token);

        Assert.Equal("errors", healthy.Name);
        Assert.Equal(0, healthy.Value);
        Assert.True(healthy.Held, healthy.Detail);
        Assert.Equal(3, unhealthy.Value);
        Assert.False(unhealthy.Held);
        Assert.Equal("value 3 outside < 1", unhealthy.Detail);
    }

    [Fact]
    public async Task A_guardrail_on_an_unknown_provider_follows_its_error_policy()
    {
        var guardrail = new Guardrail("errors", "datadog", "error_count", Configuration(_endpoint.Url), new Tolerance(1, null, null, null, null, null), Guardrail.DefaultInterval, ProviderErrorPolicy.Abort);

        var abort = await _sampler.SampleAsync(guardrail, ProbePhases.During, null, Token);
        var ignore = await _sampler.SampleAsync(guardrail with { OnProviderError = ProviderErrorPolicy.Ignore }, ProbePhases.During, null, Token);

        Assert.True(abort.ProviderFailed);
        Assert.False(abort.Held);
        Assert.True(ignore.ProviderFailed);
        Assert.True(ignore.Held);
    }

    public async ValueTask DisposeAsync()
    {
        if (_endpoint is not null)
        {
            await _endpoint.DisposeAsync();
        }

        _folder.Dispose();
    }

    private static Probe Probe(JsonElement configuration) =>
        new("health", "http", "success_ratio", configuration, AllSucceed, null, Aggregation.Last, ProviderErrorPolicy.Abort);

    private static JsonElement Configuration(Uri url, int requests = 1) =>
        JsonSerializer.SerializeToElement(new { url = url.ToString(), timeout = "2s", requests });
}
