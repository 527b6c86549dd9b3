using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Faultline.Testing;

/// <summary>
/// What Prometheus scrapes: a real Kestrel server on a free loopback port serving <c>/metrics</c> in the text
/// exposition format (0.0.4), one gauge per name, with the values the test sets (NaN and infinities included).
/// </summary>
public sealed class ScrapeTarget : IAsyncDisposable
{
    public const string MetricsPath = "/metrics";

    private readonly ConcurrentDictionary<string, double> _gauges = new(StringComparer.Ordinal);
    private WebApplication? _app;

    /// <summary>The address Kestrel bound, e.g. <c>http://127.0.0.1:41234</c>.</summary>
    public Uri BaseAddress { get; private set; } = null!;

    /// <summary>Serves <paramref name="name"/> with <paramref name="value"/> from the next scrape on.</summary>
    public void Set(string name, double value) => _gauges[name] = value;

    public static async Task<ScrapeTarget> StartAsync(CancellationToken cancellationToken)
    {
        var target = new ScrapeTarget();
        (target._app, target.BaseAddress) = await LoopbackWebApp.StartAsync(
            typeof(ScrapeTarget),
            app => app.MapGet(MetricsPath, (HttpContext context) =>
            {
                context.Response.ContentType = "text/plain; version=0.0.4; charset=utf-8";
                return context.Response.WriteAsync(target.Exposition(), context.RequestAborted);
            }),
            cancellationToken);
        return target;
    }

    public ValueTask DisposeAsync() => _app is null ? ValueTask.CompletedTask : LoopbackWebApp.StopAsync(_app);

    private string Exposition()
    {
        var text = new StringBuilder();
        foreach (var (name, value) in _gauges.OrderBy(gauge => gauge.Key, StringComparer.Ordinal))
        {
            text.Append(CultureInfo.InvariantCulture, $"# TYPE {name} gauge\n{name}{{source=\"faultline-test\"}} {Format(value)}\n");
        }

        return text.ToString();
    }

    // The exposition format's own spellings: NaN, +Inf, -Inf.
    private static string Format(double value) => value switch
    {
        double.PositiveInfinity => "+Inf",
        double.NegativeInfinity => "-Inf",
        _ when double.IsNaN(value) => "NaN",
        _ => value.ToString("R", CultureInfo.InvariantCulture),
    };
}
