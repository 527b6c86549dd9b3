using System.Diagnostics;
using Faultline.Sdk.Metrics;

namespace Faultline.Plugins.Prometheus.Tests;

/// <summary>A Prometheus that cannot answer: every way ends in a <see cref="MetricProviderException"/> that says where and why.</summary>
public sealed class PrometheusFailureTests : IDisposable
{
    private const string Password = "unreachable-password-4711";

    private readonly PrometheusProvider _provider = new();

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_closed_port_is_an_exception_naming_the_url_without_credentials()
    {
        var url = ClosedPort.Url();
        var configuration = new { url = url.AbsoluteUri, auth = new { basic = new { username = "faultline", password = Password } } };

        var instant = await Assert.ThrowsAsync<MetricProviderException>(async () =>
            await _provider.QueryInstantAsync(Queries.Of("up", configuration), DateTimeOffset.UtcNow, Token));
        var range = await Assert.ThrowsAsync<MetricProviderException>(async () =>
            await _provider.QueryRangeAsync(Queries.Of("up", configuration), Queries.LastSeconds(60, TimeSpan.FromSeconds(5)), Token));

        foreach (var failure in new[] { instant, range })
        {
            Assert.Contains(url.AbsoluteUri, failure.Message, StringComparison.Ordinal);
            Assert.Contains("refused the connection", failure.Message, StringComparison.Ordinal);
            Assert.DoesNotContain(Password, failure.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task A_server_that_never_answers_times_out_within_the_configured_deadline()
    {
        using var silent = new SilentServer();
        var configuration = new { url = silent.Url.AbsoluteUri, timeout = "500ms", auth = new { bearer = new { token = "silent-token-0815" } } };
        var clock = Stopwatch.StartNew();

        var failure = await Assert.ThrowsAsync<MetricProviderException>(async () =>
            await _provider.QueryInstantAsync(Queries.Of("up", configuration), DateTimeOffset.UtcNow, Token));

        clock.Stop();
        Assert.Contains("timed out after 0.5 s", failure.Message, StringComparison.Ordinal);
        Assert.Contains(silent.Url.AbsoluteUri, failure.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("silent-token-0815", failure.Message, StringComparison.Ordinal);
        Assert.InRange(clock.Elapsed.TotalMilliseconds, 500 - 20, 500 + 2000);
    }

    [Fact]
    public async Task The_callers_cancellation_is_a_cancellation_not_a_provider_failure()
    {
        using var silent = new SilentServer();
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(Token);
        var query = _provider.QueryInstantAsync(Queries.Of("up", new { url = silent.Url.AbsoluteUri, timeout = "30s" }), DateTimeOffset.UtcNow, cancel.Token).AsTask();

        await cancel.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => query);
    }

    [Fact]
    public async Task A_bearer_token_is_sent_with_the_extra_headers_and_warnings_reach_the_log()
    {
        await using var gateway = await ApiGateway.StartAsync("right-token-2024", Token);
        var log = new RecordingLog();
        using var provider = new PrometheusProvider(log);
        var configuration = new
        {
            url = gateway.BaseAddress.AbsoluteUri,
            auth = new { bearer = new { token = "right-token-2024" } },
            headers = new Dictionary<string, string> { ["X-Scope-OrgID"] = "team-payments" },
        };

        var result = await provider.QueryInstantAsync(Queries.Of("up", configuration), DateTimeOffset.UtcNow, Token);

        var sample = Assert.Single(result.Samples);
        Assert.Equal(3, sample.Value);
        Assert.Equal(DateTimeOffset.FromUnixTimeMilliseconds(1_700_000_000_250), sample.Timestamp);
        var headers = Assert.Single(gateway.Requests);
        Assert.Equal("Bearer right-token-2024", headers["Authorization"]);
        Assert.Equal("team-payments", headers["X-Scope-OrgID"]);
        Assert.Contains(log.Lines, line => line.StartsWith("warn: ", StringComparison.Ordinal) && line.Contains(ApiGateway.Warning, StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_wrong_bearer_token_is_a_clear_401_that_never_shows_the_token()
    {
        await using var gateway = await ApiGateway.StartAsync("right-token-2024", Token);
        var configuration = new { url = gateway.BaseAddress.AbsoluteUri, auth = new { bearer = new { token = "wrong-token-1999" } } };

        var failure = await Assert.ThrowsAsync<MetricProviderException>(async () =>
            await _provider.QueryInstantAsync(Queries.Of("up", configuration), DateTimeOffset.UtcNow, Token));

        Assert.Contains("401", failure.Message, StringComparison.Ordinal);
        Assert.Contains("refused the credentials", failure.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("wrong-token-1999", failure.Message, StringComparison.Ordinal);
        Assert.Equal("Bearer wrong-token-1999", Assert.Single(gateway.Requests)["Authorization"]);
    }

    [Fact]
    public async Task Querying_with_an_invalid_configuration_throws_naming_the_field_and_sends_nothing()
    {
        await using var gateway = await ApiGateway.StartAsync("right-token-2024", Token);

        var failure = await Assert.ThrowsAsync<MetricProviderException>(async () =>
            await _provider.QueryInstantAsync(Queries.Of("up", new { url = gateway.BaseAddress.AbsoluteUri, timeout = "2m" }), DateTimeOffset.UtcNow, Token));
        var empty = await Assert.ThrowsAsync<MetricProviderException>(async () =>
            await _provider.QueryRangeAsync(Queries.Of("  ", new { url = gateway.BaseAddress.AbsoluteUri }), Queries.LastSeconds(60, TimeSpan.FromSeconds(5)), Token));

        Assert.Contains("$.timeout", failure.Message, StringComparison.Ordinal);
        Assert.Contains("query", empty.Message, StringComparison.Ordinal);
        Assert.Empty(gateway.Requests);
    }

    public void Dispose() => _provider.Dispose();
}
