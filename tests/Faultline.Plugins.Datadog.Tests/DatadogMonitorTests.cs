using Faultline.Sdk.Metrics;

namespace Faultline.Plugins.Datadog.Tests;

/// <summary>
/// A monitor's overall_state as a probe value (GET /api/v1/monitor/{id}): OK 0, Warn 0.5, Alert 1; No Data,
/// Unknown, Skipped and Ignored are no data, never 0.
/// </summary>
public sealed class DatadogMonitorTests : IAsyncLifetime
{
    private readonly DatadogProvider _provider = new();
    private FakeDatadog _server = null!;

    public async ValueTask InitializeAsync() => _server = await FakeDatadog.StartAsync(Probe.Token);

    [Theory]
    [InlineData("OK", 0)]
    [InlineData("Warn", 0.5)]
    [InlineData("Alert", 1)]
    public async Task A_state_with_a_meaning_for_health_is_a_value_labelled_with_the_state_text(string state, double expected)
    {
        _server.SetMonitor(4242, state, "checkout 5xx");
        var at = DateTimeOffset.UtcNow;

        var result = await _provider.QueryInstantAsync(Probe.Of(_server, "monitor:4242"), at, Probe.Token);

        var sample = Assert.Single(result.Samples);
        Assert.Equal(expected, sample.Value);
        Assert.Equal(at, sample.Timestamp);
        Assert.Equal(new Dictionary<string, string> { ["monitor_id"] = "4242", ["overall_state"] = state, ["monitor_name"] = "checkout 5xx" }, sample.Labels);
        Assert.Equal("/api/v1/monitor/4242", Assert.Single(_server.Calls).Path);
    }

    [Theory]
    [InlineData("No Data")]
    [InlineData("Unknown")]
    [InlineData("Skipped")]
    [InlineData("Ignored")]
    public async Task A_state_that_says_nothing_about_health_is_no_data(string state)
    {
        _server.SetMonitor(7, state);

        var instant = await _provider.QueryInstantAsync(Probe.Of(_server, "monitor:7"), DateTimeOffset.UtcNow, Probe.Token);
        var range = await _provider.QueryRangeAsync(Probe.Of(_server, "monitor:7"), Probe.LastMinutes(5), Probe.Token);

        Assert.True(instant.IsEmpty);
        Assert.True(range.IsEmpty);
    }

    [Fact]
    public async Task An_undocumented_state_is_an_error_not_a_guess()
    {
        _server.SetMonitor(8, "Exploded");

        var failure = await Assert.ThrowsAsync<MetricProviderException>(async () =>
            await _provider.QueryInstantAsync(Probe.Of(_server, "monitor:8"), DateTimeOffset.UtcNow, Probe.Token));

        Assert.Contains("'Exploded'", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task MonitorId_in_the_configuration_with_the_query_monitor_reads_the_same_monitor()
    {
        _server.SetMonitor(99, "Alert");

        var result = await _provider.QueryInstantAsync(Probe.Of(_server, "monitor", ("monitorId", 99)), DateTimeOffset.UtcNow, Probe.Token);

        Assert.Equal(1, Assert.Single(result.Samples).Value);
        Assert.Equal("/api/v1/monitor/99", Assert.Single(_server.Calls).Path);
    }

    [Fact]
    public async Task A_range_is_one_point_of_the_current_state_at_the_end_of_the_window()
    {
        _server.SetMonitor(5, "OK");
        var window = Probe.LastMinutes(10);

        var result = await _provider.QueryRangeAsync(Probe.Of(_server, "monitor:5"), window, Probe.Token);

        var point = Assert.Single(Assert.Single(result.Series).Points);
        Assert.Equal(new MetricPoint(window.To, 0), point);
    }

    [Fact]
    public async Task A_state_in_the_past_is_refused_without_asking()
    {
        _server.SetMonitor(5, "OK");
        var hourAgo = DateTimeOffset.UtcNow.AddHours(-1);

        var failure = await Assert.ThrowsAsync<MetricProviderException>(async () =>
            await _provider.QueryInstantAsync(Probe.Of(_server, "monitor:5"), hourAgo, Probe.Token));

        Assert.Contains("known only now", failure.Message, StringComparison.Ordinal);
        Assert.Empty(_server.Calls);
    }

    [Fact]
    public async Task A_missing_monitor_is_named_with_Datadogs_error()
    {
        var failure = await Assert.ThrowsAsync<MetricProviderException>(async () =>
            await _provider.QueryInstantAsync(Probe.Of(_server, "monitor:12345"), DateTimeOffset.UtcNow, Probe.Token));

        Assert.Contains("monitor 12345 (HTTP 404): Monitor not found", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_monitor_answer_without_overall_state_is_an_error()
    {
        _server.Script(new Reply(200, """{"id":3,"name":"x"}"""));

        var failure = await Assert.ThrowsAsync<MetricProviderException>(async () =>
            await _provider.QueryInstantAsync(Probe.Of(_server, "monitor:3"), DateTimeOffset.UtcNow, Probe.Token));

        Assert.Contains("overall_state", failure.Message, StringComparison.Ordinal);
    }

    public async ValueTask DisposeAsync()
    {
        _provider.Dispose();
        await _server.DisposeAsync();
    }
}
