using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Faultline.Testing;

/// <summary>
/// A small real HTTP server for a test: slim Kestrel on a free loopback port, no logging, with the endpoints the
/// test maps. The stand-ins of the systems plugins talk to (a probe target, Datadog's API) are built on it.
/// </summary>
public static class LoopbackWebApp
{
    /// <summary>Starts the app once <paramref name="map"/> has added its endpoints; returns it with the address Kestrel bound.</summary>
    public static async Task<(WebApplication App, Uri BaseAddress)> StartAsync(Type owner, Action<WebApplication> map, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(owner);
        ArgumentNullException.ThrowIfNull(map);
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions
        {
            ApplicationName = owner.Assembly.GetName().Name,
            ContentRootPath = AppContext.BaseDirectory,
        });
        builder.Logging.ClearProviders();
        var app = builder.Build();

        // Port 0: the OS picks a free port, so parallel test classes never collide.
        app.Urls.Add("http://127.0.0.1:0");
        map(app);
        await app.StartAsync(cancellationToken);
        var addresses = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>();
        return (app, new Uri(addresses.Addresses.Single()));
    }

    public static async ValueTask StopAsync(WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        await app.StopAsync();
        await app.DisposeAsync();
    }
}
