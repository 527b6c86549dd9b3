using System.Globalization;
using System.Net;

namespace Faultline.Api.Tests.Observability;

/// <summary>Runs alone: the platform's meters are process-wide, so other classes' requests would move the counter.</summary>
[CollectionDefinition(nameof(MetricsRunAlone), DisableParallelization = true)]
public sealed class MetricsRunAlone;

/// <summary>The real Prometheus server from apt scrapes the platform's /metrics and answers with the value we caused.</summary>
[Collection(nameof(MetricsRunAlone))]
public sealed class MetricsScrapeTests(PostgresServer postgres) : ApiTest(postgres)
{
    private const string Series = "faultline_api_authentication_failures_total{reason=\"unknown\"}";

    [Fact]
    public async Task Prometheus_scrapes_metrics_and_reads_back_the_authentication_failures_we_caused()
    {
        var binary = PrometheusServer.RequireBinary();
        var anonymous = Server.Client();
        var before = await ReadSeriesAsync(anonymous);

        var stranger = Server.Client("flk_abcdefghijkm_" + new string('A', 43));
        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(HttpStatusCode.Unauthorized, (await stranger.GetAsync("/api/v1/teams")).StatusCode);
        }

        Assert.Equal(before + 3, await ReadSeriesAsync(anonymous));
        await using var prometheus = PrometheusServer.Start(binary, Server.BaseAddress, "/metrics");
        await prometheus.WaitForValueAsync(Series, before + 3, TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);
        var (health, lastError) = await prometheus.TargetHealthAsync(TestContext.Current.CancellationToken);
        Assert.True(health == "up", $"target {health}: {lastError}");
    }

    [Fact]
    public async Task Metrics_expose_http_server_histograms_in_text_format()
    {
        await Owner.GetAsync("/api/v1/teams");

        var response = await Server.Client().GetAsync("/metrics");
        var text = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.StartsWith("text/plain", response.Content.Headers.ContentType?.MediaType, StringComparison.Ordinal);
        Assert.Contains("# TYPE http_server_request_duration_seconds histogram", text, StringComparison.Ordinal);
        Assert.Contains("http_route=\"/api/v1/teams/\"", text, StringComparison.Ordinal);
    }

    private static async Task<double> ReadSeriesAsync(HttpClient client)
    {
        var text = await client.GetStringAsync("/metrics");
        var line = text.Split('\n').FirstOrDefault(l => l.StartsWith(Series + " ", StringComparison.Ordinal));
        return line is null ? 0 : double.Parse(line[(Series.Length + 1)..].Split(' ')[0], CultureInfo.InvariantCulture);
    }
}
