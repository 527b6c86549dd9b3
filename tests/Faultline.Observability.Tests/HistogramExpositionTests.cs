using System.Diagnostics.Metrics;
using System.Globalization;
using System.Text.RegularExpressions;

namespace Faultline.Observability.Tests;

public sealed partial class HistogramExpositionTests
{
    [Fact]
    public void Histogram_buckets_are_cumulative_and_inf_equals_count()
    {
        using var meter = new Meter(TestMeters.UniqueName());
        using var collector = new PrometheusMetricsCollector([meter.Name]);
        var latency = meter.CreateHistogram(
            "faultline.fault.latency",
            unit: "ms",
            description: "Latency injected per request.",
            tags: null,
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [1, 2, 5] });

        foreach (var value in new[] { 0.5, 1, 3, 10 })
        {
            latency.Record(value, new KeyValuePair<string, object?>("fault", "delay"));
        }

        // 1 lands in le="1": the upper bound is inclusive.
        const string expected = """
            # HELP faultline_fault_latency_milliseconds Latency injected per request.
            # TYPE faultline_fault_latency_milliseconds histogram
            faultline_fault_latency_milliseconds_bucket{fault="delay",le="1"} 2
            faultline_fault_latency_milliseconds_bucket{fault="delay",le="2"} 2
            faultline_fault_latency_milliseconds_bucket{fault="delay",le="5"} 3
            faultline_fault_latency_milliseconds_bucket{fault="delay",le="+Inf"} 4
            faultline_fault_latency_milliseconds_sum{fault="delay"} 14.5
            faultline_fault_latency_milliseconds_count{fault="delay"} 4

            """;
        Assert.Equal(expected, collector.Collect());
    }

    [Fact]
    public void Histogram_without_tags_has_only_le_label()
    {
        using var meter = new Meter(TestMeters.UniqueName());
        using var collector = new PrometheusMetricsCollector([meter.Name]);
        var sizes = meter.CreateHistogram(
            "faultline.payload.size",
            unit: "By",
            description: null,
            tags: null,
            advice: new InstrumentAdvice<long> { HistogramBucketBoundaries = [100, 1000] });

        sizes.Record(50);
        sizes.Record(5000);

        const string expected = """
            # TYPE faultline_payload_size_bytes histogram
            faultline_payload_size_bytes_bucket{le="100"} 1
            faultline_payload_size_bytes_bucket{le="1000"} 1
            faultline_payload_size_bytes_bucket{le="+Inf"} 2
            faultline_payload_size_bytes_sum 5050
            faultline_payload_size_bytes_count 2

            """;
        Assert.Equal(expected, collector.Collect());
    }

    [Theory]
    [InlineData("s", "0.005,0.01,0.025,0.05,0.075,0.1,0.25,0.5,0.75,1,2.5,5,7.5,10,+Inf")]
    [InlineData("ms", "0,5,10,25,50,75,100,250,500,750,1000,2500,5000,7500,10000,+Inf")]
    [InlineData(null, "0,5,10,25,50,75,100,250,500,750,1000,2500,5000,7500,10000,+Inf")]
    public void Histogram_without_advice_uses_the_default_boundaries_for_its_unit(string? unit, string expectedBounds)
    {
        using var meter = new Meter(TestMeters.UniqueName());
        using var collector = new PrometheusMetricsCollector([meter.Name]);
        meter.CreateHistogram<double>("faultline.step.duration", unit).Record(0.2);

        var bounds = LeLabel().Matches(collector.Collect()).Select(match => match.Groups[1].Value);

        Assert.Equal(expectedBounds, string.Join(',', bounds));
    }

    [Fact]
    public void Random_measurements_give_monotonic_buckets_matching_count_and_sum()
    {
        using var meter = new Meter(TestMeters.UniqueName());
        using var collector = new PrometheusMetricsCollector([meter.Name]);
        var histogram = meter.CreateHistogram<double>("faultline.random", unit: "s");
        var random = new Random(1234);
        var sum = 0.0;
        for (var i = 0; i < 1000; i++)
        {
            // Whole milliseconds, so that the expected sum is exact whatever the order of addition.
            var value = random.Next(0, 20_000) / 1000.0;
            sum += value;
            histogram.Record(value);
        }

        var text = collector.Collect();
        var buckets = BucketValue().Matches(text).Select(match => long.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture)).ToList();

        Assert.Equal(15, buckets.Count);
        Assert.Equal(buckets.Order(), buckets);
        Assert.Equal(1000, buckets[^1]);
        Assert.Contains("faultline_random_seconds_count 1000\n", text, StringComparison.Ordinal);
        var reportedSum = double.Parse(SumValue().Match(text).Groups[1].Value, CultureInfo.InvariantCulture);
        Assert.Equal(sum, reportedSum, 6);
    }

    [GeneratedRegex("le=\"([^\"]+)\"")]
    private static partial Regex LeLabel();

    [GeneratedRegex("_bucket\\{[^}]*\\} (\\d+)")]
    private static partial Regex BucketValue();

    [GeneratedRegex("_sum (\\S+)")]
    private static partial Regex SumValue();
}
