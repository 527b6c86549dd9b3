using System.Diagnostics;
using Faultline.Sdk.Metrics;

namespace Faultline.Plugins.Datadog.Tests;

/// <summary>
/// 429s and exhausted limits (https://docs.datadoghq.com/api/latest/rate-limits/): the provider waits for
/// X-RateLimit-Reset and retries, a bounded number of times. One test waits for real on real loopback HTTP; the
/// others run on a <see cref="SkippingClock"/> and read what the provider waited from it.
/// </summary>
public sealed class DatadogRateLimitTests : IAsyncLifetime
{
    private const string Query = "sum:trace.http.request.hits{service:checkout}.as_count()";
    private const string OnePoint = """[{"metric":"trace.http.request.hits","scope":"service:checkout","tag_set":[],"pointlist":[[1767225600000,42.0]]}]""";

    /// <summary>Timers may fire a little before Stopwatch says the time is up: a lower bound allows this much.</summary>
    private static readonly TimeSpan TimerSlack = TimeSpan.FromMilliseconds(20);

    private readonly SkippingClock _clock = new();
    private FakeDatadog _server = null!;

    public async ValueTask InitializeAsync()
    {
        _server = await FakeDatadog.StartAsync(Probe.Token);
        _server.SetSeries(Query, OnePoint);
    }

    [Fact]
    public async Task A_429_storm_is_waited_out_for_real_for_X_RateLimit_Reset_each_time_then_succeeds()
    {
        _server.Script(Reply.RateLimited(resetSeconds: 1), Reply.RateLimited(resetSeconds: 1));
        using var provider = new DatadogProvider();
        var clock = Stopwatch.StartNew();

        var result = await provider.QueryRangeAsync(Probe.Of(_server, Query), Probe.LastMinutes(5), Probe.Token);

        clock.Stop();
        Assert.Equal(42, Assert.Single(Assert.Single(result.Series).Points).Value);
        var calls = _server.Calls;
        Assert.Equal(3, calls.Count);
        for (var i = 1; i < calls.Count; i++)
        {
            var gap = Stopwatch.GetElapsedTime(calls[i - 1].ArrivedAt, calls[i].ArrivedAt);
            Assert.True(gap >= TimeSpan.FromSeconds(1) - TimerSlack, $"attempt {i + 1} came {gap} after the 429 that said to wait 1 s");
        }

        Assert.InRange(clock.Elapsed, TimeSpan.FromSeconds(2) - TimerSlack, TimeSpan.FromSeconds(8));
    }

    [Fact]
    public async Task A_429_storm_within_the_retry_budget_waits_reset_before_every_retry()
    {
        _server.Script(Reply.RateLimited(7), Reply.RateLimited(7), Reply.RateLimited(7));
        using var provider = new DatadogProvider(_clock);

        var result = await provider.QueryInstantAsync(Probe.Of(_server, Query, ("maxRetries", 3)), _clock.GetUtcNow(), Probe.Token);

        Assert.Equal(42, Assert.Single(result.Samples).Value);
        Assert.Equal(4, _server.Attempts("/api/v1/query"));
        Assert.Equal([TimeSpan.FromSeconds(7), TimeSpan.FromSeconds(7), TimeSpan.FromSeconds(7)], _clock.Waits);
    }

    [Fact]
    public async Task A_429_storm_longer_than_the_retry_budget_fails_saying_rate_limited_and_when_it_resets()
    {
        _server.Script([.. Enumerable.Repeat(Reply.RateLimited(5), 10)]);
        using var provider = new DatadogProvider(_clock);

        var failure = await Assert.ThrowsAsync<MetricProviderException>(async () =>
            await provider.QueryRangeAsync(Probe.Of(_server, Query, ("maxRetries", 2)), Probe.LastMinutes(5), Probe.Token));

        Assert.Equal(3, _server.Attempts("/api/v1/query"));
        Assert.Equal([TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(5)], _clock.Waits);
        Assert.Contains("rate-limited", failure.Message, StringComparison.Ordinal);
        Assert.Contains("resets in 5 s, at ", failure.Message, StringComparison.Ordinal);
        Assert.Contains("'metrics_query'", failure.Message, StringComparison.Ordinal);
        Assert.Contains("3 attempts", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_reset_beyond_maxRateLimitWait_fails_at_once_instead_of_outwaiting_the_deadline()
    {
        _server.Script(Reply.RateLimited(45));
        using var provider = new DatadogProvider(_clock);

        var failure = await Assert.ThrowsAsync<MetricProviderException>(async () =>
            await provider.QueryRangeAsync(Probe.Of(_server, Query, ("maxRateLimitWait", "10s")), Probe.LastMinutes(5), Probe.Token));

        Assert.Equal(1, _server.Attempts("/api/v1/query"));
        Assert.Empty(_clock.Waits);
        Assert.Contains("rate-limited", failure.Message, StringComparison.Ordinal);
        Assert.Contains("resets in 45 s", failure.Message, StringComparison.Ordinal);
        Assert.Contains("maxRateLimitWait", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Remaining_0_holds_the_next_request_until_the_reset_without_a_429()
    {
        using var provider = new DatadogProvider(_clock);

        await ExhaustLimitAsync(provider, resetSeconds: 4);
        Assert.Empty(_clock.Waits);
        _server.NormalHeaders.Clear();
        await provider.QueryRangeAsync(Probe.Of(_server, Query), Probe.LastMinutes(5), Probe.Token);

        Assert.Equal([TimeSpan.FromSeconds(4)], _clock.Waits);
        Assert.Equal(2, _server.Attempts("/api/v1/query"));
        Assert.All(_server.Calls, call => Assert.True(call.KeysAccepted));
    }

    [Fact]
    public async Task An_exhausted_limit_with_a_reset_beyond_the_cap_fails_without_sending()
    {
        using var provider = new DatadogProvider(_clock);
        await ExhaustLimitAsync(provider, resetSeconds: 120);

        var failure = await Assert.ThrowsAsync<MetricProviderException>(async () =>
            await provider.QueryRangeAsync(Probe.Of(_server, Query), Probe.LastMinutes(5), Probe.Token));

        Assert.Equal(1, _server.Attempts("/api/v1/query"));
        Assert.Contains("no request was sent", failure.Message, StringComparison.Ordinal);
        Assert.Contains("resets in 120 s", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Another_organization_is_not_held_by_an_exhausted_limit_of_the_first()
    {
        using var provider = new DatadogProvider(_clock);
        await ExhaustLimitAsync(provider, resetSeconds: 120);

        // Another team's keys (rejected by this server, which is the point: the request is sent, not held).
        var other = Probe.Of(_server, Query, ("apiKey", "another-organization-key"));
        var failure = await Assert.ThrowsAsync<MetricProviderException>(async () => await provider.QueryRangeAsync(other, Probe.LastMinutes(5), Probe.Token));

        Assert.Contains("HTTP 403", failure.Message, StringComparison.Ordinal);
        Assert.Equal(2, _server.Attempts("/api/v1/query"));
    }

    [Fact]
    public async Task The_callers_cancellation_ends_a_rate_limit_wait()
    {
        _server.Script(Reply.RateLimited(2));
        using var provider = new DatadogProvider();
        using var caller = CancellationTokenSource.CreateLinkedTokenSource(Probe.Token);
        caller.CancelAfter(TimeSpan.FromMilliseconds(300));
        var clock = Stopwatch.StartNew();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () =>
            await provider.QueryRangeAsync(Probe.Of(_server, Query), Probe.LastMinutes(5), caller.Token));

        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(1.5), $"the wait went on {clock.Elapsed} after a cancellation at 300 ms");
        Assert.Equal(1, _server.Attempts("/api/v1/query"));
    }

    public async ValueTask DisposeAsync() => await _server.DisposeAsync();

    /// <summary>One successful query whose answer says the limit is used up until a reset.</summary>
    private async Task ExhaustLimitAsync(DatadogProvider provider, int resetSeconds)
    {
        _server.NormalHeaders["X-RateLimit-Remaining"] = "0";
        _server.NormalHeaders["X-RateLimit-Reset"] = resetSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        _server.NormalHeaders["X-RateLimit-Name"] = "metrics_query";
        await provider.QueryRangeAsync(Probe.Of(_server, Query), Probe.LastMinutes(5), Probe.Token);
    }
}
