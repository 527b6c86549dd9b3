using Faultline.Testing;

namespace Faultline.Plugins.Prometheus.Tests;

/// <summary>
/// The real Prometheus, scraping a <see cref="ScrapeTarget"/> every second, with its API under <c>/prometheus</c>
/// as behind a reverse proxy (so every query also proves the path prefix is kept). Shared by the tests of a class;
/// each test uses gauges of its own name. Started by the first test that asks, inside that test, so that a missing
/// binary skips the tests (or fails them under CI=true) rather than breaking the fixture.
/// </summary>
public sealed class ScrapedPrometheus : IAsyncDisposable
{
    public const string RoutePrefix = "/prometheus";

    private readonly SemaphoreSlim _starting = new(1, 1);
    private ScrapeTarget? _target;
    private PrometheusServer? _server;

    public ScrapeTarget Target => _target ?? throw new InvalidOperationException("Call StartAsync first.");

    public PrometheusServer Server => _server ?? throw new InvalidOperationException("Call StartAsync first.");

    /// <summary>The provider's configuration for this server.</summary>
    public object Configuration => new { url = Server.Address.AbsoluteUri };

    public async Task<PrometheusServer> StartAsync()
    {
        var binary = PrometheusServer.RequireBinary();
        await _starting.WaitAsync(TestContext.Current.CancellationToken);
        try
        {
            _target ??= await ScrapeTarget.StartAsync(TestContext.Current.CancellationToken);
            return _server ??= PrometheusServer.Start(binary, _target.BaseAddress, ScrapeTarget.MetricsPath, new PrometheusServerOptions { RoutePrefix = RoutePrefix });
        }
        finally
        {
            _starting.Release();
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }

        if (_target is not null)
        {
            await _target.DisposeAsync();
        }

        _starting.Dispose();
    }
}
