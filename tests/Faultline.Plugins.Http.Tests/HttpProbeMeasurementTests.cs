using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Faultline.Plugins.Http.Tests;

/// <summary>What the probe measures, against a real server whose answers and delays the test chooses.</summary>
public sealed class HttpProbeMeasurementTests : IAsyncLifetime
{
    private readonly HttpProbeProvider _provider = new();
    private ProbeTargetServer _server = null!;

    public async ValueTask InitializeAsync() => _server = await ProbeTargetServer.StartAsync(TestContext.Current.CancellationToken);

    [Fact]
    public async Task Success_ratio_error_count_and_status_counts_follow_a_mix_of_200_and_500()
    {
        // Every 4th request gets a 500: of 8, 2 fail. Each query is its own probe of 8 requests.
        var configuration = new { url = _server.Url("/mix/4"), requests = 8, concurrency = 3 };

        Assert.Equal(0.75, await _provider.MeasureAsync("success_ratio", configuration), 3);
        Assert.Equal(2, await _provider.MeasureAsync("error_count", configuration));
        Assert.Equal(6, await _provider.MeasureAsync("status:200", configuration));
        Assert.Equal(2, await _provider.MeasureAsync("status:500", configuration));
        Assert.Equal(0, await _provider.MeasureAsync("status:404", configuration));
        Assert.Equal(5 * 8, _server.Hits("/mix/4"));
    }

    [Fact]
    public async Task Latency_percentiles_include_the_delay_the_server_adds()
    {
        const int Delay = 600;
        var slow = new { url = _server.Url($"/delay/{Delay}"), requests = 3, concurrency = 3 };
        var fast = new { url = _server.Url("/status/200"), requests = 5 };

        foreach (var query in new[] { "latency_p50_ms", "latency_p90_ms", "latency_p99_ms", "latency_max_ms" })
        {
            var value = await _provider.MeasureAsync(query, slow);
            Assert.True(value >= Delay - TimerSlack.Milliseconds, $"{query} of the slow endpoint is {value} ms, below the {Delay} ms the server waits");
        }

        // The median leaves out a first request that pays for connection set-up and JIT on a busy machine.
        var fastMedian = await _provider.MeasureAsync("latency_p50_ms", fast);
        Assert.True(fastMedian < Delay / 2, $"latency_p50_ms of the fast endpoint is {fastMedian} ms");
        Assert.True(fastMedian > 0, "a latency of 0 ms was not measured");
    }

    [Fact]
    public async Task Percentiles_are_nearest_rank_over_every_request()
    {
        // 10 requests, the 5th and 10th to arrive wait: sorted, 8 fast then 2 slow. Nearest rank puts p50 (5th)
        // among the fast, p90 (9th), p99 (10th) and the maximum among the slow. Each query is a probe of its own.
        const int Delay = 800;
        var configuration = new { url = _server.Url($"/slow-every/5/{Delay}"), requests = 10, concurrency = 10 };

        var p50 = await _provider.MeasureAsync("latency_p50_ms", configuration);
        var p90 = await _provider.MeasureAsync("latency_p90_ms", configuration);
        var p99 = await _provider.MeasureAsync("latency_p99_ms", configuration);
        var max = await _provider.MeasureAsync("latency_max_ms", configuration);

        Assert.True(p50 < Delay / 2, $"p50 is {p50} ms: it should be one of the 8 fast requests");
        Assert.True(p90 >= Delay - TimerSlack.Milliseconds, $"p90 is {p90} ms: it should be one of the 2 slow requests");
        Assert.True(p99 >= Delay - TimerSlack.Milliseconds, $"p99 is {p99} ms");
        Assert.True(max >= Delay - TimerSlack.Milliseconds, $"max is {max} ms");
    }

    [Fact]
    public async Task Requests_past_the_timeout_are_failures_measured_at_their_timeout()
    {
        var configuration = new { url = _server.Url("/delay/5000"), timeout = "300ms", requests = 3, concurrency = 3 };
        var clock = Stopwatch.StartNew();

        Assert.Equal(0, await _provider.MeasureAsync("success_ratio", configuration));
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(4), $"a probe with a 300ms timeout took {clock.Elapsed}");
        Assert.Equal(3, await _provider.MeasureAsync("error_count", configuration));
        Assert.Equal(0, await _provider.MeasureAsync("status:200", configuration));
        var latency = await _provider.MeasureAsync("latency_max_ms", configuration);
        Assert.InRange(latency, 300 - TimerSlack.Milliseconds, 4000);
    }

    [Fact]
    public async Task A_timeout_counts_only_late_requests_as_failures()
    {
        var configuration = new { url = _server.Url("/delay/50"), timeout = "10s", requests = 2 };

        Assert.Equal(1, await _provider.MeasureAsync("success_ratio", configuration));
    }

    [Fact]
    public async Task ExpectStatus_decides_which_statuses_are_success()
    {
        var notFound = _server.Url("/status/404");

        Assert.Equal(0, await _provider.MeasureAsync("success_ratio", new { url = notFound }));
        Assert.Equal(1, await _provider.MeasureAsync("success_ratio", new { url = notFound, expectStatus = 404 }));
        Assert.Equal(1, await _provider.MeasureAsync("success_ratio", new { url = notFound, expectStatus = new List<int> { 410, 404 } }));
        Assert.Equal(0, await _provider.MeasureAsync("success_ratio", new { url = _server.Url("/status/200"), expectStatus = new List<int> { 404 } }));
        Assert.Equal(1, await _provider.MeasureAsync("success_ratio", new { url = _server.Url("/status/204") }));
        Assert.Equal(0, await _provider.MeasureAsync("success_ratio", new { url = _server.Url("/status/503") }));
    }

    [Fact]
    public async Task A_redirect_is_measured_not_followed()
    {
        Assert.Equal(2, await _provider.MeasureAsync("status:302", new { url = _server.Url("/status/302"), requests = 2 }));
        Assert.Equal(0, _server.Hits("/status/500"));
        Assert.Equal(1, await _provider.MeasureAsync("success_ratio", new { url = _server.Url("/status/302") }));
    }

    [Fact]
    public async Task Method_body_and_headers_reach_the_server()
    {
        var configuration = new
        {
            url = _server.Url("/echo"),
            method = "POST",
            body = """{"order":42}""",
            headers = new Dictionary<string, string> { ["X-Probe"] = "chaos", ["Content-Type"] = "application/json" },
            expectStatus = 201,
        };

        Assert.Equal(1, await _provider.MeasureAsync("success_ratio", configuration));

        var received = _server.LastEcho;
        Assert.NotNull(received);
        Assert.Equal("POST", received.Method);
        Assert.Equal("""{"order":42}""", received.Body);
        Assert.Equal("chaos", received.Headers["X-Probe"]);
        Assert.Equal("application/json", received.Headers["Content-Type"]);
        Assert.Equal("Faultline-HttpProbe/1.0", received.Headers["User-Agent"]);
    }

    [Fact]
    public async Task A_body_without_a_content_type_is_sent_as_utf8_text()
    {
        var configuration = new { url = _server.Url("/echo"), method = "PUT", body = "grüße", headers = new Dictionary<string, string> { ["User-Agent"] = "mine/2" } };

        Assert.Equal(1, await _provider.MeasureAsync("status:201", configuration));

        Assert.Equal("PUT", _server.LastEcho!.Method);
        Assert.Equal("grüße", _server.LastEcho.Body);
        Assert.Equal("text/plain; charset=utf-8", _server.LastEcho.Headers["Content-Type"]);
        Assert.Equal("mine/2", _server.LastEcho.Headers["User-Agent"]);
    }

    [Fact]
    public async Task HEAD_and_DELETE_are_sent_as_such()
    {
        Assert.Equal(1, await _provider.MeasureAsync("status:201", new { url = _server.Url("/echo"), method = "DELETE" }));
        Assert.Equal("DELETE", _server.LastEcho!.Method);
        Assert.Equal(1, await _provider.MeasureAsync("status:201", new { url = _server.Url("/echo"), method = "HEAD" }));
        Assert.Equal("HEAD", _server.LastEcho.Method);
    }

    [Fact]
    public async Task Exactly_the_configured_number_of_requests_is_sent_never_more_than_concurrency_at_once()
    {
        Assert.Equal(1, await _provider.MeasureAsync("success_ratio", new { url = _server.Url("/delay/100"), requests = 6, concurrency = 2 }));

        Assert.Equal(6, _server.Hits("/delay/100"));
        Assert.InRange(_server.MaxInFlight, 1, 2);
    }

    [Fact]
    public async Task A_refused_connection_is_a_failed_request_not_an_exception()
    {
        var configuration = new { url = $"http://127.0.0.1:{UnusedPort()}/health", requests = 4, concurrency = 2 };

        Assert.Equal(0, await _provider.MeasureAsync("success_ratio", configuration));
        Assert.Equal(4, await _provider.MeasureAsync("error_count", configuration));
        Assert.Equal(0, await _provider.MeasureAsync("status:200", configuration));
    }

    [Fact]
    public async Task Cancelling_the_query_stops_it_instead_of_reporting_failures()
    {
        using var cancellation = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        cancellation.CancelAfter(TimeSpan.FromMilliseconds(200));
        var clock = Stopwatch.StartNew();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await _provider.QueryInstantAsync(
            Probe.Query("success_ratio", new { url = _server.Url("/delay/5000"), timeout = "30s", requests = 4, concurrency = 2 }),
            DateTimeOffset.UtcNow,
            cancellation.Token));

        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(4), $"the cancelled query ran for {clock.Elapsed}");
    }

    public async ValueTask DisposeAsync()
    {
        _provider.Dispose();
        await _server.DisposeAsync();
    }

    /// <summary>A loopback port nothing listens on: bound by the OS for a moment, then released.</summary>
    private static int UnusedPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }
}
