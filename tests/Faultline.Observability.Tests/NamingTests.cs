using System.Diagnostics.Metrics;
using Faultline.Observability.Internal;

namespace Faultline.Observability.Tests;

public sealed class NamingTests
{
    public static TheoryData<string, string?, string, string> Names => new()
    {
        { "http.server.request.duration", "s", nameof(InstrumentKind.Histogram), "http_server_request_duration_seconds" },
        { "faultline.probe.latency", "ms", nameof(InstrumentKind.Histogram), "faultline_probe_latency_milliseconds" },
        { "faultline.payload.size", "By", nameof(InstrumentKind.Histogram), "faultline_payload_size_bytes" },
        { "faultline.requests", "{request}", nameof(InstrumentKind.Counter), "faultline_requests_total" },
        { "faultline.request.time", "s", nameof(InstrumentKind.Counter), "faultline_request_time_seconds_total" },
        { "faultline.jobs_total", null, nameof(InstrumentKind.Counter), "faultline_jobs_total" },
        { "faultline.io", "By/s", nameof(InstrumentKind.Gauge), "faultline_io_bytes_per_second" },
        { "faultline.request.rate", "{request}/s", nameof(InstrumentKind.Gauge), "faultline_request_rate_per_second" },
        { "faultline.cpu.utilization", "1", nameof(InstrumentKind.Gauge), "faultline_cpu_utilization_ratio" },
        { "faultline.errors", "1", nameof(InstrumentKind.Counter), "faultline_errors_total" },
        { "faultline.queue.depth", "{item}", nameof(InstrumentKind.UpDownCounter), "faultline_queue_depth" },
        { "faultline.wait.seconds", "s", nameof(InstrumentKind.Histogram), "faultline_wait_seconds" },
        { "faultline.disk.temperature", "Cel", nameof(InstrumentKind.Gauge), "faultline_disk_temperature_celsius" },
        { "faultline.queue", "packets", nameof(InstrumentKind.Gauge), "faultline_queue_packets" },
        { "2xx.responses", null, nameof(InstrumentKind.Counter), "_2xx_responses_total" },
        { "(faultline)..chaos--monkey:kills!", null, nameof(InstrumentKind.Gauge), "faultline_chaos_monkey_kills" },
    };

    [Theory]
    [MemberData(nameof(Names))]
    public void Metric_names_follow_the_OpenTelemetry_to_Prometheus_rules(string instrumentName, string? unit, string kind, string expected) =>
        Assert.Equal(expected, PrometheusNaming.MetricName(instrumentName, unit, Enum.Parse<InstrumentKind>(kind)));

    [Theory]
    [InlineData("http.route", "http_route")]
    [InlineData("fault-type", "fault_type")]
    [InlineData("1st.attempt", "key_1st_attempt")]
    [InlineData("__name__", "key__name__")]
    [InlineData("_private", "_private")]
    [InlineData("ünits", "_nits")]
    public void Label_names_are_sanitized(string tag, string expected) =>
        Assert.Equal(expected, PrometheusNaming.SanitizeLabelName(tag));

    [Fact]
    public void Names_labels_and_help_are_sanitized_and_escaped_in_the_output()
    {
        using var meter = new Meter(TestMeters.UniqueName());
        using var collector = new PrometheusMetricsCollector([meter.Name]);
        var counter = meter.CreateCounter<int>(
            "faultline.chaos-experiments/finished",
            unit: "{experiment}",
            description: "Finished experiments.\nPath like C:\\runs, \"quoted\".");

        counter.Add(
            1,
            new("http.route", "/api/{id}"),
            new("note", "C:\\temp \"x\"\nnext"),
            new("1st", true));

        const string expected = """
            # HELP faultline_chaos_experiments_finished_total Finished experiments.\nPath like C:\\runs, "quoted".
            # TYPE faultline_chaos_experiments_finished_total counter
            faultline_chaos_experiments_finished_total{http_route="/api/{id}",key_1st="true",note="C:\\temp \"x\"\nnext"} 1

            """;
        Assert.Equal(expected, collector.Collect());
    }

    [Fact]
    public void Tags_that_sanitize_to_one_label_are_joined_in_key_order()
    {
        using var meter = new Meter(TestMeters.UniqueName());
        using var collector = new PrometheusMetricsCollector([meter.Name]);

        meter.CreateCounter<int>("faultline.hits").Add(1, new("a_b", "2"), new("a.b", "1"));

        Assert.Contains("faultline_hits_total{a_b=\"1;2\"} 1\n", collector.Collect(), StringComparison.Ordinal);
    }

    [Fact]
    public void Tag_values_are_formatted_independently_of_culture()
    {
        using var meter = new Meter(TestMeters.UniqueName());
        using var collector = new PrometheusMetricsCollector([meter.Name]);

        int[] codes = [500, 503];
        meter.CreateCounter<int>("faultline.samples").Add(1, new("ratio", 0.5), new("codes", codes), new("empty", null));

        Assert.Contains("faultline_samples_total{codes=\"[500,503]\",empty=\"\",ratio=\"0.5\"} 1\n", collector.Collect(), StringComparison.Ordinal);
    }
}
