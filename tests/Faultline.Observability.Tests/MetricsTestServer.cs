using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Faultline.Observability.Tests;

/// <summary>A real Kestrel server on a free loopback port, exposing the Prometheus endpoint.</summary>
internal sealed class MetricsTestServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private MetricsTestServer(WebApplication app, Uri baseAddress)
    {
        _app = app;
        BaseAddress = baseAddress;
    }

    /// <summary>The address Kestrel actually bound, e.g. <c>http://127.0.0.1:41234</c>.</summary>
    public Uri BaseAddress { get; }

    public IServiceProvider Services => _app.Services;

    public static async Task<MetricsTestServer> StartAsync(
        Action<PrometheusMetricsOptions> configure,
        string pattern,
        CancellationToken cancellationToken)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions
        {
            ApplicationName = typeof(MetricsTestServer).Assembly.GetName().Name,
            ContentRootPath = AppContext.BaseDirectory,
        });
        builder.Logging.ClearProviders();
        builder.Services.AddPrometheusMetrics(configure);

        var app = builder.Build();
        // Port 0: the OS picks a free port, so parallel test runs never collide.
        app.Urls.Add("http://127.0.0.1:0");
        app.MapPrometheusMetrics(pattern);
        await app.StartAsync(cancellationToken);

        var addresses = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>();
        return new MetricsTestServer(app, new Uri(addresses.Addresses.Single()));
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
