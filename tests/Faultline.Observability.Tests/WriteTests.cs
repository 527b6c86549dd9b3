using System.Diagnostics.Metrics;
using System.Text;

namespace Faultline.Observability.Tests;

public sealed class WriteTests
{
    [Fact]
    public void Content_type_is_the_text_format_0_0_4() =>
        Assert.Equal("text/plain; version=0.0.4; charset=utf-8", PrometheusMetricsCollector.ContentType);

    [Fact]
    public async Task WriteAsync_to_a_stream_writes_utf8_without_byte_order_mark()
    {
        using var meter = new Meter(TestMeters.UniqueName());
        using var collector = new PrometheusMetricsCollector([meter.Name]);
        meter.CreateCounter<int>("faultline.unicode", description: "Zählt Störungen.").Add(1, new KeyValuePair<string, object?>("zone", "zürich"));
        using var stream = new MemoryStream();

        await collector.WriteAsync(stream, TestContext.Current.CancellationToken);

        var bytes = stream.ToArray();
        Assert.NotEqual(0xEF, bytes[0]);
        Assert.Equal(collector.Collect(), Encoding.UTF8.GetString(bytes));
        Assert.Contains("zone=\"zürich\"", Encoding.UTF8.GetString(bytes), StringComparison.Ordinal);
    }

    [Fact]
    public async Task WriteAsync_to_a_text_writer_writes_the_collected_text()
    {
        using var meter = new Meter(TestMeters.UniqueName());
        using var collector = new PrometheusMetricsCollector([meter.Name]);
        meter.CreateCounter<int>("faultline.written").Add(9);
        using var writer = new StringWriter();

        await collector.WriteAsync(writer, TestContext.Current.CancellationToken);

        Assert.Equal("# TYPE faultline_written_total counter\nfaultline_written_total 9\n", writer.ToString());
    }
}
