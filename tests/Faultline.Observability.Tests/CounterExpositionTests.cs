using System.Diagnostics.Metrics;

namespace Faultline.Observability.Tests;

public sealed class CounterExpositionTests
{
    [Fact]
    public void Counter_with_tags_is_written_as_one_cumulative_series_per_tag_set()
    {
        using var meter = new Meter(TestMeters.UniqueName());
        using var collector = new PrometheusMetricsCollector([meter.Name]);
        var counter = meter.CreateCounter<long>("faultline.requests", unit: "{request}", description: "Requests handled.");

        counter.Add(2, new("method", "GET"), new("status", 200));
        // Same tags in another order: still the same series.
        counter.Add(1, new("status", 200), new("method", "GET"));
        counter.Add(1, new("method", "POST"), new("status", 500));

        const string expected = """
            # HELP faultline_requests_total Requests handled.
            # TYPE faultline_requests_total counter
            faultline_requests_total{method="GET",status="200"} 3
            faultline_requests_total{method="POST",status="500"} 1

            """;
        Assert.Equal(expected, collector.Collect());
    }

    [Fact]
    public void Counter_stays_cumulative_across_scrapes_and_ignores_negative_deltas()
    {
        using var meter = new Meter(TestMeters.UniqueName());
        using var collector = new PrometheusMetricsCollector([meter.Name]);
        var counter = meter.CreateCounter<double>("faultline.bytes.sent", unit: "By");

        counter.Add(1.5);
        Assert.Contains("faultline_bytes_sent_bytes_total 1.5\n", collector.Collect(), StringComparison.Ordinal);

        counter.Add(2);
        counter.Add(-10);
        Assert.Equal(
            "# TYPE faultline_bytes_sent_bytes_total counter\nfaultline_bytes_sent_bytes_total 3.5\n",
            collector.Collect());
    }

    [Fact]
    public void UpDownCounter_is_a_gauge_without_total_suffix()
    {
        using var meter = new Meter(TestMeters.UniqueName());
        using var collector = new PrometheusMetricsCollector([meter.Name]);
        var inFlight = meter.CreateUpDownCounter<int>("faultline.experiments.running", unit: "{experiment}");

        inFlight.Add(3);
        inFlight.Add(-5);

        Assert.Equal(
            "# TYPE faultline_experiments_running gauge\nfaultline_experiments_running -2\n",
            collector.Collect());
    }

    [Fact]
    public void Synchronous_gauge_keeps_the_last_value()
    {
        using var meter = new Meter(TestMeters.UniqueName());
        using var collector = new PrometheusMetricsCollector([meter.Name]);
        var gauge = meter.CreateGauge<double>("faultline.blast.radius", unit: "1");

        gauge.Record(0.25, new KeyValuePair<string, object?>("target", "db"));
        gauge.Record(0.5, new KeyValuePair<string, object?>("target", "db"));

        Assert.Equal(
            "# TYPE faultline_blast_radius_ratio gauge\nfaultline_blast_radius_ratio{target=\"db\"} 0.5\n",
            collector.Collect());
    }

    [Fact]
    public void Series_beyond_the_limit_go_to_the_overflow_series()
    {
        using var meter = new Meter(TestMeters.UniqueName());
        var options = new PrometheusMetricsOptions { MaxSeriesPerInstrument = 2 };
        options.Meters.Clear();
        options.Meters.Add(meter.Name);
        using var collector = new PrometheusMetricsCollector(options);
        var counter = meter.CreateCounter<int>("faultline.calls");

        counter.Add(1, new KeyValuePair<string, object?>("id", "a"));
        counter.Add(1, new KeyValuePair<string, object?>("id", "b"));
        counter.Add(1, new KeyValuePair<string, object?>("id", "c"));
        counter.Add(1, new KeyValuePair<string, object?>("id", "d"));
        counter.Add(1, new KeyValuePair<string, object?>("id", "a"));

        const string expected = """
            # TYPE faultline_calls_total counter
            faultline_calls_total{id="a"} 2
            faultline_calls_total{id="b"} 1
            faultline_calls_total{otel_metric_overflow="true"} 2

            """;
        Assert.Equal(expected, collector.Collect());
    }

    [Fact]
    public void Instruments_of_one_name_in_two_meters_form_one_family()
    {
        var prefix = TestMeters.UniqueName();
        using var first = new Meter(prefix + ".First");
        using var second = new Meter(prefix + ".Second");
        using var collector = new PrometheusMetricsCollector([prefix + "."]);

        first.CreateCounter<int>("faultline.faults.injected", description: "Faults injected.").Add(2);
        second.CreateCounter<int>("faultline.faults.injected").Add(3);
        // Same Prometheus name but another type: writing it would make Prometheus reject the scrape.
        second.CreateUpDownCounter<int>("faultline.faults.injected.total").Add(100);

        const string expected = """
            # HELP faultline_faults_injected_total Faults injected.
            # TYPE faultline_faults_injected_total counter
            faultline_faults_injected_total 5

            """;
        Assert.Equal(expected, collector.Collect());
    }
}
