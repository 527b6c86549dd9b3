using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Faultline.Bench.Engine;

/// <summary>
/// A slim Kestrel app on a free loopback port, without logging: what the benchmark serves to the node's probes
/// (the health switch) and to Prometheus (the scrape target). Port 0, so nothing else on the machine collides.
/// </summary>
internal static class LoopbackApp
{
    public static async Task<(WebApplication App, Uri BaseAddress)> StartAsync(Action<WebApplication> map, string what, CancellationToken cancellationToken)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        map(app);
        await app.StartAsync(cancellationToken);
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault();
        if (address is null)
        {
            await app.DisposeAsync();
            throw new InvalidOperationException($"The {what} reported no listening address.");
        }

        return (app, new Uri(address));
    }
}
