using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;

namespace Faultline.Observability.Tests;

/// <summary>
/// End to end: the real Prometheus server scrapes the endpoint and answers a query with the counter's value,
/// which proves the exposition is accepted by the consumer it is written for, not only by our own tests.
/// </summary>
public sealed class PrometheusScrapeTests : IAsyncLifetime
{
    private MetricsTestServer? _server;
    private PrometheusServer? _prometheus;

    public ValueTask InitializeAsync() => ValueTask.CompletedTask;

    [Fact]
    public async Task Prometheus_scrapes_the_counter_value()
    {
        var binary = PrometheusServer.RequireBinary();

        var cancellationToken = TestContext.Current.CancellationToken;
        var meterName = TestMeters.UniqueName();
        _server = await MetricsTestServer.StartAsync(
            options =>
            {
                options.Meters.Clear();
                options.Meters.Add(meterName);
                // ASP.NET Core's own histograms and gauges ride along, so Prometheus also parses those.
                options.Meters.Add("Microsoft.AspNetCore.Hosting");
                options.Meters.Add("Microsoft.AspNetCore.Server.Kestrel");
            },
            "/metrics",
            cancellationToken);
        var meter = _server.Services.GetRequiredService<IMeterFactory>().Create(meterName);
        var counter = meter.CreateCounter<long>("faultline.tests.widgets", "{widget}", "Widgets made by the scrape test.");
        for (var i = 0; i < 42; i++)
        {
            counter.Add(1, new KeyValuePair<string, object?>("job.kind", "scrape \"test\""));
        }

        _prometheus = PrometheusServer.Start(binary, _server.BaseAddress, "/metrics");

        await _prometheus.WaitForValueAsync("faultline_tests_widgets_total", 42, TimeSpan.FromSeconds(30), cancellationToken);
        var (health, lastError) = await _prometheus.TargetHealthAsync(cancellationToken);
        Assert.True(health == "up", $"target health {health}: {lastError}\n{_prometheus.Output}");
    }

    public async ValueTask DisposeAsync()
    {
        if (_prometheus is not null)
        {
            await _prometheus.DisposeAsync();
        }

        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
    }
}
