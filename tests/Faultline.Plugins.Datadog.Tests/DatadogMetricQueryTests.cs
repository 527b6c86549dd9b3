using Faultline.Sdk.Metrics;

namespace Faultline.Plugins.Datadog.Tests;

/// <summary>Range and instant queries against the documented /api/v1/query answers: null points, tags, empty series.</summary>
public sealed class DatadogMetricQueryTests : IAsyncLifetime
{
    private const string ByHost = "avg:system.cpu.user{env:prod} by {host}";

    // Two hosts; web-1 has a gap (null) in the middle and at the end, web-2 only gaps.
    private const string TwoHosts = """
        [
          {"metric":"system.cpu.user","display_name":"system.cpu.user","scope":"env:prod,host:web-1","expression":"avg:system.cpu.user{env:prod,host:web-1}",
           "tag_set":["env:prod","host:web-1"],"unit":null,"interval":20,"length":4,"start":1767225600000,"end":1767225660000,"aggr":"avg",
           "pointlist":[[1767225600000.0,12.5],[1767225620000.0,null],[1767225640000.0,30.25],[1767225660000.0,null]]},
          {"metric":"system.cpu.user","display_name":"system.cpu.user","scope":"env:prod,host:web-2","expression":"avg:system.cpu.user{env:prod,host:web-2}",
           "tag_set":["env:prod","host:web-2"],"interval":20,"length":2,"aggr":"avg",
           "pointlist":[[1767225600000.0,null],[1767225620000.0,null]]}
        ]
        """;

    private readonly DatadogProvider _provider = new();
    private FakeDatadog _server = null!;

    public async ValueTask InitializeAsync() => _server = await FakeDatadog.StartAsync(Probe.Token);

    [Fact]
    public async Task A_range_query_returns_every_non_null_point_and_drops_a_series_of_only_nulls()
    {
        _server.SetSeries(ByHost, TwoHosts);

        var result = await _provider.QueryRangeAsync(Probe.Of(_server, ByHost), Probe.LastMinutes(10), Probe.Token);

        var series = Assert.Single(result.Series);
        Assert.Equal(
            [new MetricPoint(DateTimeOffset.FromUnixTimeMilliseconds(1767225600000), 12.5), new MetricPoint(DateTimeOffset.FromUnixTimeMilliseconds(1767225640000), 30.25)],
            series.Points);
        Assert.Equal("web-1", series.Labels["host"]);
        Assert.Equal("prod", series.Labels["env"]);
        Assert.Equal("system.cpu.user", series.Labels["metric"]);
        Assert.Equal("env:prod,host:web-1", series.Labels["scope"]);
        Assert.Equal(ByHost, series.Labels["query"]);
    }

    [Fact]
    public async Task A_range_query_asks_for_the_window_in_epoch_seconds_with_both_keys()
    {
        var window = Probe.LastMinutes(30);

        await _provider.QueryRangeAsync(Probe.Of(_server, ByHost), window, Probe.Token);

        var call = Assert.Single(_server.Calls);
        Assert.True(call.KeysAccepted);
        Assert.Equal("/api/v1/query", call.Path);
        Assert.Equal(ByHost, call.Query["query"]);
        Assert.Equal(window.From.ToUnixTimeSeconds(), long.Parse(call.Query["from"], System.Globalization.CultureInfo.InvariantCulture));
        Assert.InRange(long.Parse(call.Query["to"], System.Globalization.CultureInfo.InvariantCulture), window.To.ToUnixTimeSeconds(), window.To.ToUnixTimeSeconds() + 1);
    }

    [Fact]
    public async Task An_instant_is_the_latest_non_null_point_of_each_series_within_the_lookback()
    {
        _server.SetSeries(ByHost, TwoHosts);
        var at = DateTimeOffset.UtcNow;

        var result = await _provider.QueryInstantAsync(Probe.Of(_server, ByHost, ("instantLookback", "2m")), at, Probe.Token);

        var sample = Assert.Single(result.Samples);
        Assert.Equal(30.25, sample.Value);
        Assert.Equal(DateTimeOffset.FromUnixTimeMilliseconds(1767225640000), sample.Timestamp);
        Assert.Equal("web-1", sample.Labels["host"]);
        var call = Assert.Single(_server.Calls);
        var from = long.Parse(call.Query["from"], System.Globalization.CultureInfo.InvariantCulture);
        var to = long.Parse(call.Query["to"], System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(to - from, 120, 121);
    }

    [Fact]
    public async Task The_default_lookback_of_an_instant_is_five_minutes()
    {
        await _provider.QueryInstantAsync(Probe.Of(_server, ByHost), DateTimeOffset.UtcNow, Probe.Token);

        var call = Assert.Single(_server.Calls);
        var span = long.Parse(call.Query["to"], System.Globalization.CultureInfo.InvariantCulture) - long.Parse(call.Query["from"], System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(span, 300, 301);
    }

    [Fact]
    public async Task No_series_and_only_null_points_are_no_data_never_zero()
    {
        _server.SetSeries("sum:gaps{*}", """[{"metric":"gaps","scope":"*","tag_set":[],"pointlist":[[1767225600000,null]]}]""");

        var none = await _provider.QueryRangeAsync(Probe.Of(_server, "sum:nothing{*}"), Probe.LastMinutes(5), Probe.Token);
        var gaps = await _provider.QueryRangeAsync(Probe.Of(_server, "sum:gaps{*}"), Probe.LastMinutes(5), Probe.Token);
        var instant = await _provider.QueryInstantAsync(Probe.Of(_server, "sum:gaps{*}"), DateTimeOffset.UtcNow, Probe.Token);

        Assert.True(none.IsEmpty);
        Assert.True(gaps.IsEmpty);
        Assert.True(instant.IsEmpty);
    }

    [Fact]
    public async Task A_url_with_a_path_keeps_it_in_front_of_the_api_path()
    {
        _server.Script(Reply.Error(404, "no such route"));
        var query = Probe.Of(_server, ByHost, ("url", _server.Url + "datadog-proxy"));

        var failure = await Assert.ThrowsAsync<MetricProviderException>(async () => await _provider.QueryRangeAsync(query, Probe.LastMinutes(5), Probe.Token));

        Assert.Equal("/datadog-proxy/api/v1/query", Assert.Single(_server.Calls).Path);
        Assert.Contains("HTTP 404", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_query_Datadog_refuses_is_named_with_its_errors_and_not_retried()
    {
        _server.Script(Reply.Error(400, "Error parsing query: unable to parse avg:bad{: Rule 'scope_expr' didn't match"));

        var failure = await Assert.ThrowsAsync<MetricProviderException>(async () =>
            await _provider.QueryRangeAsync(Probe.Of(_server, "avg:bad{"), Probe.LastMinutes(5), Probe.Token));

        Assert.Contains("HTTP 400", failure.Message, StringComparison.Ordinal);
        Assert.Contains("'avg:bad{'", failure.Message, StringComparison.Ordinal);
        Assert.Contains("Error parsing query", failure.Message, StringComparison.Ordinal);
        Assert.Equal(1, _server.Attempts("/api/v1/query"));
    }

    [Fact]
    public async Task An_answer_with_status_error_is_an_error_not_an_empty_result()
    {
        _server.Script(new Reply(200, """{"status":"error","error":"Rule 'metric' didn't match","series":[]}"""));

        var failure = await Assert.ThrowsAsync<MetricProviderException>(async () =>
            await _provider.QueryInstantAsync(Probe.Of(_server, ByHost), DateTimeOffset.UtcNow, Probe.Token));

        Assert.Contains("status 'error'", failure.Message, StringComparison.Ordinal);
        Assert.Contains("Rule 'metric' didn't match", failure.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{"status":"ok","series":[""", "not JSON")]
    [InlineData("""<html><body>502 Bad Gateway</body></html>""", "not JSON")]
    [InlineData("""{"status":"ok","series":{"a":1}}""", "$.series is not an array")]
    [InlineData("""{"status":"ok","series":[{"pointlist":[[1767225600000,"12"]]}]}""", "$.series[0].pointlist[0]")]
    [InlineData("""{"status":"ok","series":[{"pointlist":[1767225600000]}]}""", "$.series[0].pointlist[0]")]
    [InlineData("""[1,2]""", "$ is not an object")]
    public async Task A_malformed_answer_is_a_clear_error(string body, string expected)
    {
        _server.Script(new Reply(200, body));

        var failure = await Assert.ThrowsAsync<MetricProviderException>(async () =>
            await _provider.QueryRangeAsync(Probe.Of(_server, ByHost), Probe.LastMinutes(5), Probe.Token));

        Assert.Contains(expected, failure.Message, StringComparison.Ordinal);
        Assert.Equal(1, _server.Attempts("/api/v1/query"));
    }

    public async ValueTask DisposeAsync()
    {
        _provider.Dispose();
        await _server.DisposeAsync();
    }
}
