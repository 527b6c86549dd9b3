using Faultline.Sdk.Metrics;

namespace Faultline.Plugins.Http.Tests;

/// <summary>What a sample looks like, and why only "now" is answered: the probe cannot measure another time.</summary>
public sealed class HttpProbeInstantAndRangeTests : IAsyncLifetime
{
    private readonly HttpProbeProvider _provider = new();
    private ProbeTargetServer _server = null!;

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync() => _server = await ProbeTargetServer.StartAsync(Token);

    [Fact]
    public async Task An_instant_query_answers_one_sample_at_the_asked_instant_labelled_with_url_and_query()
    {
        var url = _server.Url("/status/200");
        var at = DateTimeOffset.UtcNow;

        var result = await _provider.QueryInstantAsync(Probe.Query("success_ratio", new { url, requests = 2 }), at, Token);

        var sample = Assert.Single(result.Samples);
        Assert.Equal(at, sample.Timestamp);
        Assert.Equal(1, sample.Value);
        Assert.Equal(new Dictionary<string, string> { ["url"] = url, ["query"] = "success_ratio" }, sample.Labels);
        Assert.Equal(2, _server.Hits("/status/200"));
    }

    [Fact]
    public async Task A_range_query_is_answered_with_one_point_at_the_end_of_the_window_measured_now()
    {
        var url = _server.Url("/mix/2");
        var now = DateTimeOffset.UtcNow;
        var window = new TimeWindow(now.AddMinutes(-10), now, TimeSpan.FromSeconds(15));

        var result = await _provider.QueryRangeAsync(Probe.Query("error_count", new { url, requests = 4 }), window, Token);

        var series = Assert.Single(result.Series);
        Assert.Equal(new Dictionary<string, string> { ["url"] = url, ["query"] = "error_count" }, series.Labels);
        var point = Assert.Single(series.Points);
        Assert.Equal(window.To, point.Timestamp);
        Assert.Equal(2, point.Value);
        Assert.Equal(4, _server.Hits("/mix/2"));
    }

    [Fact]
    public async Task An_instant_or_a_window_that_is_not_now_is_refused_without_sending_anything()
    {
        var query = Probe.Query("success_ratio", new { url = _server.Url("/status/200") });
        var hourAgo = DateTimeOffset.UtcNow.AddHours(-1);

        var instant = await Assert.ThrowsAsync<MetricProviderException>(async () => await _provider.QueryInstantAsync(query, hourAgo, Token));
        Assert.Contains("measures now", instant.Message, StringComparison.Ordinal);
        await Assert.ThrowsAsync<MetricProviderException>(async () =>
            await _provider.QueryRangeAsync(query, new TimeWindow(hourAgo.AddMinutes(-5), hourAgo, TimeSpan.FromSeconds(15)), Token));
        await Assert.ThrowsAsync<MetricProviderException>(async () => await _provider.QueryInstantAsync(query, DateTimeOffset.UtcNow.AddHours(1), Token));

        Assert.Equal(0, _server.Hits("/status/200"));
    }

    [Fact]
    public async Task Now_is_the_provider_clock_within_its_tolerance()
    {
        var clock = new FixedClock(new DateTimeOffset(2030, 1, 1, 12, 0, 0, TimeSpan.Zero));
        using var provider = new HttpProbeProvider(clock);
        var query = Probe.Query("success_ratio", new { url = _server.Url("/status/200") });

        var edge = clock.GetUtcNow() - HttpProbeProvider.NowTolerance;
        Assert.Equal(edge, Assert.Single((await provider.QueryInstantAsync(query, edge, Token)).Samples).Timestamp);
        await Assert.ThrowsAsync<MetricProviderException>(async () => await provider.QueryInstantAsync(query, edge.AddSeconds(-1), Token));
    }

    public async ValueTask DisposeAsync()
    {
        _provider.Dispose();
        await _server.DisposeAsync();
    }
}
