using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Faultline.Bench.Engine;

/// <summary>
/// What Prometheus scrapes (after tests/Faultline.Testing/ScrapeTarget, which the bench must not reference):
/// Kestrel on a free loopback port serving <c>/metrics</c> in the text exposition format (0.0.4), one gauge
/// with one series per slot, at the values the benchmark sets. A value set here is the breach "at the source":
/// the very next scrape returns it.
/// </summary>
internal sealed class ScrapeTarget : IAsyncDisposable
{
    public const string MetricsPath = "/metrics";

    public const string Metric = "faultline_bench_error_ratio";

    private readonly ConcurrentDictionary<string, double> _slots = new(StringComparer.Ordinal);
    private WebApplication _app = null!;

    private ScrapeTarget()
    {
    }

    /// <summary>The address Kestrel bound, e.g. <c>http://127.0.0.1:41234</c>.</summary>
    public Uri BaseAddress { get; private set; } = null!;

    public static async Task<ScrapeTarget> StartAsync(CancellationToken cancellationToken)
    {
        var target = new ScrapeTarget();
        (target._app, target.BaseAddress) = await LoopbackApp.StartAsync(
            app => app.MapGet(MetricsPath, (HttpContext context) =>
            {
                context.Response.ContentType = "text/plain; version=0.0.4; charset=utf-8";
                return context.Response.WriteAsync(target.Exposition(), context.RequestAborted);
            }),
            "scrape target",
            cancellationToken);
        return target;
    }

    /// <summary>The PromQL selector of one slot's series.</summary>
    public static string Selector(string slot) => $"{Metric}{{slot=\"{slot}\"}}";

    /// <summary>Served from the next scrape on.</summary>
    public void Set(string slot, double value) => _slots[slot] = value;

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();

    private string Exposition()
    {
        var text = new StringBuilder().Append(CultureInfo.InvariantCulture, $"# TYPE {Metric} gauge\n");
        foreach (var (slot, value) in _slots.OrderBy(s => s.Key, StringComparer.Ordinal))
        {
            text.Append(CultureInfo.InvariantCulture, $"{Metric}{{slot=\"{slot}\"}} {value.ToString("R", CultureInfo.InvariantCulture)}\n");
        }

        return text.ToString();
    }
}
