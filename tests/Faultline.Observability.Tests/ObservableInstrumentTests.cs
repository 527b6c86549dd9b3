using System.Diagnostics.Metrics;

namespace Faultline.Observability.Tests;

public sealed class ObservableInstrumentTests
{
    [Fact]
    public void Observable_gauge_is_read_on_every_scrape()
    {
        using var meter = new Meter(TestMeters.UniqueName());
        using var collector = new PrometheusMetricsCollector([meter.Name]);
        var active = 3;
        var reads = 0;
        meter.CreateObservableGauge(
            "faultline.experiments.active",
            () =>
            {
                reads++;
                return new Measurement<int>(active, new KeyValuePair<string, object?>("environment", "staging"));
            },
            unit: "{experiment}",
            description: "Experiments currently injecting faults.");

        const string template = """
            # HELP faultline_experiments_active Experiments currently injecting faults.
            # TYPE faultline_experiments_active gauge
            faultline_experiments_active{environment="staging"} VALUE

            """;
        Assert.Equal(0, reads);
        Assert.Equal(template.Replace("VALUE", "3", StringComparison.Ordinal), collector.Collect());

        active = 7;
        Assert.Equal(template.Replace("VALUE", "7", StringComparison.Ordinal), collector.Collect());
        Assert.Equal(2, reads);
    }

    [Fact]
    public void Observable_series_that_are_no_longer_reported_disappear()
    {
        using var meter = new Meter(TestMeters.UniqueName());
        using var collector = new PrometheusMetricsCollector([meter.Name]);
        var targets = new List<string> { "api", "db" };
        meter.CreateObservableGauge(
            "faultline.target.healthy",
            () => targets.Select(target => new Measurement<int>(1, new KeyValuePair<string, object?>("target", target))));

        Assert.Contains("faultline_target_healthy{target=\"db\"} 1\n", collector.Collect(), StringComparison.Ordinal);

        targets.Remove("db");
        Assert.Equal(
            "# TYPE faultline_target_healthy gauge\nfaultline_target_healthy{target=\"api\"} 1\n",
            collector.Collect());
    }

    [Fact]
    public void Observable_counter_reports_the_observed_total_not_a_sum_of_observations()
    {
        using var meter = new Meter(TestMeters.UniqueName());
        using var collector = new PrometheusMetricsCollector([meter.Name]);
        long total = 10;
        meter.CreateObservableCounter("faultline.process.cpu.time", () => total, unit: "s");
        meter.CreateObservableUpDownCounter("faultline.pool.connections", () => 4, unit: "{connection}");

        collector.Collect();
        total = 12;

        const string expected = """
            # TYPE faultline_pool_connections gauge
            faultline_pool_connections 4
            # TYPE faultline_process_cpu_time_seconds_total counter
            faultline_process_cpu_time_seconds_total 12

            """;
        Assert.Equal(expected, collector.Collect());
    }

    [Fact]
    public void A_throwing_callback_does_not_blank_the_scrape()
    {
        using var meter = new Meter(TestMeters.UniqueName());
        using var collector = new PrometheusMetricsCollector([meter.Name]);
        meter.CreateObservableGauge<int>("faultline.broken", (Func<int>)(() => throw new InvalidOperationException("probe failed")));
        meter.CreateObservableGauge("faultline.working", () => 1);
        meter.CreateCounter<int>("faultline.events").Add(5);

        var text = collector.Collect();

        Assert.DoesNotContain("faultline_broken", text, StringComparison.Ordinal);
        Assert.Contains("faultline_working 1\n", text, StringComparison.Ordinal);
        Assert.Contains("faultline_events_total 5\n", text, StringComparison.Ordinal);
    }
}
