using Faultline.Sdk.Metrics;

namespace Faultline.Plugins.Prometheus.Tests;

/// <summary>Instant and range queries against the real Prometheus, scraping values this test sets.</summary>
public sealed class PrometheusQueryTests(ScrapedPrometheus prometheus) : IClassFixture<ScrapedPrometheus>, IDisposable
{
    private readonly PrometheusProvider _provider = new();

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task An_instant_query_returns_the_value_the_target_exposes_and_then_the_value_it_changed_to()
    {
        var server = await prometheus.StartAsync();
        prometheus.Target.Set("faultline_test_instant", 42.5);
        var query = Queries.Of("faultline_test_instant", prometheus.Configuration);

        var first = await _provider.InstantAsync(query, r => r.Samples.Any(s => s.Value == 42.5), "the scraped 42.5 is returned", server);

        var sample = Assert.Single(first.Samples);
        Assert.Equal("faultline_test_instant", sample.Labels["__name__"]);
        Assert.Equal("faultline-test", sample.Labels["source"]);
        Assert.Equal("faultline", sample.Labels["job"]);

        prometheus.Target.Set("faultline_test_instant", -7.25);
        var changed = await _provider.InstantAsync(query, r => r.Samples.Any(s => s.Value == -7.25), "the changed value -7.25 is returned", server);
        Assert.Equal(-7.25, Assert.Single(changed.Samples).Value);
    }

    [Fact]
    public async Task An_instant_query_is_answered_for_the_asked_instant()
    {
        var server = await prometheus.StartAsync();
        var query = Queries.Of("vector(1)", prometheus.Configuration);
        await _provider.InstantAsync(query, r => !r.IsEmpty, "Prometheus answers", server);
        var at = DateTimeOffset.UtcNow.AddSeconds(-3);

        var result = await _provider.QueryInstantAsync(query, at, Token);

        Assert.Equal(at.ToUnixTimeMilliseconds(), Assert.Single(result.Samples).Timestamp.ToUnixTimeMilliseconds());
    }

    [Fact]
    public async Task A_range_query_returns_a_matrix_of_points_inside_the_window_one_step_apart()
    {
        var server = await prometheus.StartAsync();
        prometheus.Target.Set("faultline_test_range", 3);
        var query = Queries.Of("faultline_test_range", prometheus.Configuration);
        TimeWindow? asked = null;

        var result = await _provider.RangeAsync(
            query,
            () => asked = Queries.LastSeconds(30, TimeSpan.FromSeconds(1)),
            r => r.Series.Count == 1 && r.Series[0].Points.Count >= 3,
            "three scrapes of faultline_test_range are in the window",
            server);

        var series = Assert.Single(result.Series);
        Assert.Equal("faultline_test_range", series.Labels["__name__"]);
        Assert.All(series.Points, point => Assert.Equal(3, point.Value));
        Assert.All(series.Points, point => Assert.InRange(point.Timestamp, asked!.From, asked.To));
        Assert.All(series.Points.Zip(series.Points.Skip(1)), pair => Assert.Equal(TimeSpan.FromSeconds(1), pair.Second.Timestamp - pair.First.Timestamp));
    }

    [Fact]
    public async Task The_configured_step_overrides_the_resolution_the_engine_asks_for()
    {
        var server = await prometheus.StartAsync();
        var query = Queries.Of("vector(1)", new { url = prometheus.Server.Address.AbsoluteUri, step = "10s" });

        var result = await _provider.RangeAsync(query, () => Queries.LastSeconds(60, TimeSpan.FromSeconds(1)), r => !r.IsEmpty, "Prometheus answers", server);

        var points = Assert.Single(result.Series).Points;
        Assert.InRange(points.Count, 6, 7);
        Assert.Equal(TimeSpan.FromSeconds(10), points[1].Timestamp - points[0].Timestamp);
    }

    [Theory]
    [InlineData("1 + 1", 2)]
    [InlineData("scalar(vector(21)) * 2", 42)]
    public async Task A_scalar_is_one_sample_without_labels(string expression, double expected)
    {
        var server = await prometheus.StartAsync();

        var result = await _provider.InstantAsync(Queries.Of(expression, prometheus.Configuration), r => !r.IsEmpty, "Prometheus answers", server);

        var sample = Assert.Single(result.Samples);
        Assert.Equal(expected, sample.Value);
        Assert.Empty(sample.Labels);
    }

    [Fact]
    public async Task A_scraped_scalar_of_the_targets_gauge_is_returned()
    {
        var server = await prometheus.StartAsync();
        prometheus.Target.Set("faultline_test_scalar", 21);

        var result = await _provider.InstantAsync(
            Queries.Of("scalar(faultline_test_scalar) * 2", prometheus.Configuration), r => r.Samples.Any(s => s.Value == 42), "scalar(21) * 2 is 42", server);

        Assert.Empty(Assert.Single(result.Samples).Labels);
    }

    [Theory]
    [InlineData("faultline_test_nan", double.NaN)]
    [InlineData("faultline_test_positive_infinity", double.PositiveInfinity)]
    [InlineData("faultline_test_negative_infinity", double.NegativeInfinity)]
    public async Task NaN_and_infinities_are_values_not_missing_data(string gauge, double value)
    {
        var server = await prometheus.StartAsync();
        prometheus.Target.Set(gauge, value);

        var instant = await _provider.InstantAsync(Queries.Of(gauge, prometheus.Configuration), r => !r.IsEmpty, $"{gauge} is scraped", server);
        var range = await _provider.QueryRangeAsync(Queries.Of(gauge, prometheus.Configuration), Queries.LastSeconds(10, TimeSpan.FromSeconds(1)), Token);

        Assert.Equal(value, Assert.Single(instant.Samples).Value);
        Assert.False(range.IsEmpty);
        Assert.All(Assert.Single(range.Series).Points, point => Assert.Equal(value, point.Value));
    }

    [Fact]
    public async Task A_query_matching_nothing_returns_an_empty_result_not_zero()
    {
        var server = await prometheus.StartAsync();
        await _provider.InstantAsync(Queries.Of("vector(1)", prometheus.Configuration), r => !r.IsEmpty, "Prometheus answers", server);
        var query = Queries.Of("faultline_test_never_exposed", prometheus.Configuration);

        var instant = await _provider.QueryInstantAsync(query, DateTimeOffset.UtcNow, Token);
        var range = await _provider.QueryRangeAsync(query, Queries.LastSeconds(60, TimeSpan.FromSeconds(5)), Token);

        Assert.True(instant.IsEmpty);
        Assert.True(range.IsEmpty);
    }

    [Fact]
    public async Task Bad_PromQL_is_refused_with_Prometheus_own_bad_data_message()
    {
        var server = await prometheus.StartAsync();
        await _provider.InstantAsync(Queries.Of("vector(1)", prometheus.Configuration), r => !r.IsEmpty, "Prometheus answers", server);

        var instant = await Assert.ThrowsAsync<MetricProviderException>(async () =>
            await _provider.QueryInstantAsync(Queries.Of("sum(rate(faultline_test_instant[1m])", prometheus.Configuration), DateTimeOffset.UtcNow, Token));
        var range = await Assert.ThrowsAsync<MetricProviderException>(async () =>
            await _provider.QueryRangeAsync(Queries.Of("faultline_test_instant +", prometheus.Configuration), Queries.LastSeconds(60, TimeSpan.FromSeconds(5)), Token));

        Assert.Contains("bad_data", instant.Message, StringComparison.Ordinal);
        Assert.Contains("parse error", instant.Message, StringComparison.Ordinal);
        Assert.Contains("sum(rate(faultline_test_instant[1m])", instant.Message, StringComparison.Ordinal);
        Assert.Contains("bad_data", range.Message, StringComparison.Ordinal);
        Assert.Contains("parse error", range.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Too_many_points_for_a_range_are_refused_with_Prometheus_message()
    {
        var server = await prometheus.StartAsync();
        await _provider.InstantAsync(Queries.Of("vector(1)", prometheus.Configuration), r => !r.IsEmpty, "Prometheus answers", server);

        var failure = await Assert.ThrowsAsync<MetricProviderException>(async () =>
            await _provider.QueryRangeAsync(Queries.Of("vector(1)", prometheus.Configuration), Queries.LastSeconds(3600, TimeSpan.FromMilliseconds(100)), Token));

        Assert.Contains("bad_data", failure.Message, StringComparison.Ordinal);
        Assert.Contains("11,000 points", failure.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("\"faultline\"", "string")]
    [InlineData("vector(1)[1m:10s]", "range vector")]
    public async Task An_answer_that_is_no_number_is_refused_with_what_to_write_instead(string expression, string named)
    {
        var server = await prometheus.StartAsync();
        await _provider.InstantAsync(Queries.Of("vector(1)", prometheus.Configuration), r => !r.IsEmpty, "Prometheus answers", server);

        var failure = await Assert.ThrowsAsync<MetricProviderException>(async () =>
            await _provider.QueryInstantAsync(Queries.Of(expression, prometheus.Configuration), DateTimeOffset.UtcNow, Token));

        Assert.Contains(named, failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GET_works_as_well_as_POST()
    {
        var server = await prometheus.StartAsync();

        var result = await _provider.InstantAsync(
            Queries.Of("vector(5) + 0 * vector(1)", new { url = prometheus.Server.Address.AbsoluteUri, method = "GET" }), r => !r.IsEmpty, "Prometheus answers a GET", server);

        Assert.Equal(5, Assert.Single(result.Samples).Value);
    }

    [Fact]
    public async Task A_url_without_the_path_prefix_is_said_to_hold_no_API()
    {
        var server = await prometheus.StartAsync();
        await _provider.InstantAsync(Queries.Of("vector(1)", prometheus.Configuration), r => !r.IsEmpty, "Prometheus answers", server);
        var root = prometheus.Server.Address.GetLeftPart(UriPartial.Authority);

        var failure = await Assert.ThrowsAsync<MetricProviderException>(async () =>
            await _provider.QueryInstantAsync(Queries.Of("vector(1)", new { url = root }), DateTimeOffset.UtcNow, Token));

        Assert.Contains("404", failure.Message, StringComparison.Ordinal);
        Assert.Contains("path prefix", failure.Message, StringComparison.Ordinal);
    }

    public void Dispose() => _provider.Dispose();
}
