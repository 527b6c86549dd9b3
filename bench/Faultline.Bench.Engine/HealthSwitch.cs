using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Faultline.Bench.Engine;

/// <summary>
/// The system under test as the http probe sees it: a real Kestrel endpoint on a free loopback port answering
/// 200 or 500 per slot (<c>/health/{slot}</c>), switched by the benchmark. One slot per concurrent run, so
/// breaking one run's health never trips the guardrail of another one. Unknown slots are healthy.
/// </summary>
internal sealed class HealthSwitch : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentDictionary<string, bool> _failing = new(StringComparer.Ordinal);

    private HealthSwitch(WebApplication app) => _app = app;

    private Uri BaseAddress { get; set; } = null!;

    public static async Task<HealthSwitch> StartAsync(CancellationToken cancellationToken)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var health = new HealthSwitch(app);
        app.MapGet("/health/{slot}", (string slot) =>
            health._failing.TryGetValue(slot, out var failing) && failing
                ? Results.StatusCode(StatusCodes.Status500InternalServerError)
                : Results.Text("ok"));
        await app.StartAsync(cancellationToken);
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault()
            ?? throw new InvalidOperationException("The health endpoint reported no listening address.");
        health.BaseAddress = new Uri(address);
        return health;
    }

    public Uri UrlOf(string slot) => new(BaseAddress, $"/health/{Uri.EscapeDataString(slot)}");

    /// <summary>Takes effect for the very next request: the guardrail's next sample sees it.</summary>
    public void Set(string slot, bool healthy) => _failing[slot] = !healthy;

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();
}
