using System.Diagnostics.Metrics;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;

namespace Faultline.Observability.Tests;

public sealed class MetricsEndpointTests
{
    [Fact]
    public async Task Endpoint_serves_the_text_format_over_http()
    {
        var cancellationToken = TestContext.Current.CancellationToken;
        var meterName = TestMeters.UniqueName();
        await using var server = await MetricsTestServer.StartAsync(
            options =>
            {
                options.Meters.Clear();
                options.Meters.Add(meterName);
            },
            "/internal/metrics",
            cancellationToken);
        using var meter = server.Services.GetRequiredService<IMeterFactory>().Create(meterName);
        meter.CreateCounter<int>("faultline.tests.widgets", "{widget}", "Widgets made by the test.").Add(42);
        using var client = LoopbackHttp.CreateClient(server.BaseAddress);

        using var response = await client.GetAsync(new Uri("/internal/metrics", UriKind.Relative), cancellationToken);
        var body = await response.Content.ReadAsStringAsync(cancellationToken);

        response.EnsureSuccessStatusCode();
        Assert.Equal(PrometheusMetricsCollector.ContentType, response.Content.Headers.ContentType?.ToString());
        const string expected = """
            # HELP faultline_tests_widgets_total Widgets made by the test.
            # TYPE faultline_tests_widgets_total counter
            faultline_tests_widgets_total 42

            """;
        Assert.Equal(expected, body);
    }

    [Fact]
    public async Task Mapping_without_registration_explains_what_is_missing()
    {
        await using var app = WebApplication.CreateSlimBuilder().Build();

        var error = Assert.Throws<InvalidOperationException>(() => app.MapPrometheusMetrics());

        Assert.Contains("AddPrometheusMetrics", error.Message, StringComparison.Ordinal);
    }
}
