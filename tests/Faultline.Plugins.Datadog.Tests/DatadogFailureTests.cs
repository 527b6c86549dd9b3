using System.Diagnostics;
using Faultline.Sdk.Metrics;

namespace Faultline.Plugins.Datadog.Tests;

/// <summary>5xx, rejected keys, timeouts and an unreachable Datadog: what is retried, and what the message says.</summary>
public sealed class DatadogFailureTests : IAsyncLifetime
{
    private const string Query = "avg:system.load.1{*}";

    private readonly SkippingClock _clock = new();
    private FakeDatadog _server = null!;

    public async ValueTask InitializeAsync()
    {
        _server = await FakeDatadog.StartAsync(Probe.Token);
        _server.SetSeries(Query, """[{"metric":"system.load.1","scope":"*","tag_set":[],"pointlist":[[1767225600000,0.5]]}]""");
    }

    [Fact]
    public async Task A_5xx_is_retried_with_growing_jittered_back_off_then_succeeds()
    {
        _server.Script(Reply.Error(503, "Service unavailable"), Reply.Error(500, "Internal error"));
        using var provider = new DatadogProvider(_clock);

        var result = await provider.QueryRangeAsync(Probe.Of(_server, Query), Probe.LastMinutes(5), Probe.Token);

        Assert.Equal(0.5, Assert.Single(Assert.Single(result.Series).Points).Value);
        Assert.Equal(3, _server.Attempts("/api/v1/query"));
        var waits = _clock.Waits;
        Assert.Equal(2, waits.Count);
        Assert.InRange(waits[0], Backoff.First / 2, Backoff.First);
        Assert.InRange(waits[1], Backoff.First, Backoff.First * 2);
    }

    [Fact]
    public async Task A_5xx_on_real_time_is_retried_and_succeeds()
    {
        _server.Script(Reply.Error(502, "Bad gateway"));
        using var provider = new DatadogProvider();

        var result = await provider.QueryRangeAsync(Probe.Of(_server, Query), Probe.LastMinutes(5), Probe.Token);

        Assert.False(result.IsEmpty);
        Assert.Equal(2, _server.Attempts("/api/v1/query"));
    }

    [Fact]
    public async Task A_5xx_that_persists_fails_with_the_status_and_Datadogs_errors_after_the_retry_budget()
    {
        _server.Script([.. Enumerable.Repeat(Reply.Error(503, "Query service overloaded"), 10)]);
        using var provider = new DatadogProvider(_clock);

        var failure = await Assert.ThrowsAsync<MetricProviderException>(async () =>
            await provider.QueryRangeAsync(Probe.Of(_server, Query, ("maxRetries", 2)), Probe.LastMinutes(5), Probe.Token));

        Assert.Equal(3, _server.Attempts("/api/v1/query"));
        Assert.Contains("HTTP 503", failure.Message, StringComparison.Ordinal);
        Assert.Contains("Query service overloaded", failure.Message, StringComparison.Ordinal);
        Assert.Contains("3 attempts", failure.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("wrong-api-key", FakeDatadog.ApplicationKey)]
    [InlineData(FakeDatadog.ApiKey, "wrong-application-key")]
    public async Task A_rejected_key_is_a_configuration_error_never_retried(string apiKey, string applicationKey)
    {
        using var provider = new DatadogProvider(_clock);
        var configuration = _server.Configuration(apiKey, applicationKey);
        var query = new MetricQuery(Query, System.Text.Json.JsonSerializer.SerializeToElement(configuration));

        var failure = await Assert.ThrowsAsync<MetricProviderException>(async () => await provider.QueryRangeAsync(query, Probe.LastMinutes(5), Probe.Token));

        Assert.Contains("API key or application key", failure.Message, StringComparison.Ordinal);
        Assert.Contains("HTTP 403: Forbidden", failure.Message, StringComparison.Ordinal);
        Assert.Equal(1, _server.Attempts("/api/v1/query"));
        Assert.Empty(_clock.Waits);
    }

    [Fact]
    public async Task A_401_is_the_same_configuration_error()
    {
        _server.Script(Reply.Error(401, "Unauthorized"));
        using var provider = new DatadogProvider(_clock);

        var failure = await Assert.ThrowsAsync<MetricProviderException>(async () =>
            await provider.QueryRangeAsync(Probe.Of(_server, Query), Probe.LastMinutes(5), Probe.Token));

        Assert.Contains("rejected the API key or application key (HTTP 401: Unauthorized)", failure.Message, StringComparison.Ordinal);
        Assert.Equal(1, _server.Attempts("/api/v1/query"));
    }

    [Fact]
    public async Task A_server_that_never_answers_times_out_within_the_deadline()
    {
        _server.Script(Reply.Never);
        using var provider = new DatadogProvider();
        var clock = Stopwatch.StartNew();

        var failure = await Assert.ThrowsAsync<MetricProviderException>(async () =>
            await provider.QueryRangeAsync(Probe.Of(_server, Query, ("timeout", "400ms")), Probe.LastMinutes(5), Probe.Token));

        Assert.Contains("timed out", failure.Message, StringComparison.Ordinal);
        Assert.Contains("0.4 s", failure.Message, StringComparison.Ordinal);
        Assert.InRange(clock.Elapsed, TimeSpan.FromMilliseconds(380), TimeSpan.FromSeconds(3));
        Assert.Equal(1, _server.Attempts("/api/v1/query"));
    }

    [Fact]
    public async Task An_unreachable_Datadog_is_retried_then_reported_as_unreachable()
    {
        using var provider = new DatadogProvider(_clock);
        var configuration = _server.Configuration();
        configuration["url"] = "http://127.0.0.1:1/";
        configuration["maxRetries"] = 1;
        var query = new MetricQuery(Query, System.Text.Json.JsonSerializer.SerializeToElement(configuration));

        var failure = await Assert.ThrowsAsync<MetricProviderException>(async () => await provider.QueryRangeAsync(query, Probe.LastMinutes(5), Probe.Token));

        Assert.Contains("unreachable", failure.Message, StringComparison.Ordinal);
        Assert.Contains("2 attempts", failure.Message, StringComparison.Ordinal);
        Assert.Single(_clock.Waits);
    }

    [Fact]
    public async Task A_redirect_is_not_followed_since_it_would_carry_the_keys()
    {
        _server.Script(new Reply(302, "", new Dictionary<string, string> { ["Location"] = "http://127.0.0.1:1/steal" }));
        using var provider = new DatadogProvider(_clock);

        var failure = await Assert.ThrowsAsync<MetricProviderException>(async () =>
            await provider.QueryRangeAsync(Probe.Of(_server, Query), Probe.LastMinutes(5), Probe.Token));

        Assert.Contains("redirect (HTTP 302)", failure.Message, StringComparison.Ordinal);
        Assert.Equal(1, _server.Attempts("/api/v1/query"));
    }

    public async ValueTask DisposeAsync() => await _server.DisposeAsync();
}
