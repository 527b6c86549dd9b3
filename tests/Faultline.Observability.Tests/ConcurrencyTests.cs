using System.Diagnostics.Metrics;

namespace Faultline.Observability.Tests;

public sealed class ConcurrencyTests
{
    [Fact]
    public async Task Concurrent_recording_and_scraping_lose_no_measurements()
    {
        using var meter = new Meter(TestMeters.UniqueName());
        using var collector = new PrometheusMetricsCollector([meter.Name]);
        var counter = meter.CreateCounter<long>("faultline.concurrent");
        var histogram = meter.CreateHistogram<double>("faultline.concurrent.latency", unit: "s");
        string[] targets = ["api", "db", "cache"];
        const int Threads = 4;
        const int PerThread = 15_000;
        var cancellationToken = TestContext.Current.CancellationToken;

        using var stopScraping = new CancellationTokenSource();
        var scraper = Task.Run(
            () =>
            {
                while (!stopScraping.IsCancellationRequested)
                {
                    collector.Collect();
                }
            },
            cancellationToken);

        var writers = Enumerable.Range(0, Threads).Select(thread => Task.Run(
            () =>
            {
                for (var i = 0; i < PerThread; i++)
                {
                    var target = new KeyValuePair<string, object?>("target", targets[i % targets.Length]);
                    counter.Add(1, target);
                    histogram.Record(0.001, target);
                }
            },
            cancellationToken));
        await Task.WhenAll(writers);
        await stopScraping.CancelAsync();
        await scraper;

        var text = collector.Collect();
        var perTarget = Threads * PerThread / targets.Length;
        foreach (var target in targets)
        {
            Assert.Contains($"faultline_concurrent_total{{target=\"{target}\"}} {perTarget}\n", text, StringComparison.Ordinal);
            Assert.Contains($"faultline_concurrent_latency_seconds_count{{target=\"{target}\"}} {perTarget}\n", text, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Recording_into_an_existing_series_does_not_allocate()
    {
        using var meter = new Meter(TestMeters.UniqueName());
        using var collector = new PrometheusMetricsCollector([meter.Name]);
        var counter = meter.CreateCounter<long>("faultline.hot");
        var histogram = meter.CreateHistogram<double>("faultline.hot.latency", unit: "s");
        // Tag values are boxed once here, as a caller with fixed tag values would do.
        var method = new KeyValuePair<string, object?>("method", "GET");
        var status = new KeyValuePair<string, object?>("status", "200");

        void RecordBatch()
        {
            for (var i = 0; i < 1000; i++)
            {
                counter.Add(1, status, method);
                histogram.Record(0.01, method, status);
            }
        }

        RecordBatch();
        var before = GC.GetAllocatedBytesForCurrentThread();
        RecordBatch();
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(0, allocated);
        Assert.Contains("faultline_hot_total{method=\"GET\",status=\"200\"} 2000\n", collector.Collect(), StringComparison.Ordinal);
    }
}
