using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Faultline.Bench.Engine;

/// <summary>
/// The system under test as the http probe sees it: a real Kestrel endpoint on a free loopback port answering
/// 200 or 500 per slot (<c>/health/{slot}</c>), switched by the benchmark. One slot per concurrent run, so
/// breaking one run's health never trips the guardrail of another one. Unknown slots are healthy.
/// </summary>
internal sealed class HealthSwitch : IAsyncDisposable
{
    private readonly ConcurrentDictionary<string, bool> _failing = new(StringComparer.Ordinal);
    private WebApplication _app = null!;

    private HealthSwitch()
    {
    }

    private Uri BaseAddress { get; set; } = null!;

    public static async Task<HealthSwitch> StartAsync(CancellationToken cancellationToken)
    {
        var health = new HealthSwitch();
        (health._app, health.BaseAddress) = await LoopbackApp.StartAsync(
            app => app.MapGet("/health/{slot}", (string slot) =>
                health._failing.TryGetValue(slot, out var failing) && failing
                    ? Results.StatusCode(StatusCodes.Status500InternalServerError)
                    : Results.Text("ok")),
            "health endpoint",
            cancellationToken);
        return health;
    }

    public Uri UrlOf(string slot) => new(BaseAddress, $"/health/{Uri.EscapeDataString(slot)}");

    /// <summary>Takes effect for the very next request: the guardrail's next sample sees it.</summary>
    public void Set(string slot, bool healthy) => _failing[slot] = !healthy;

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();
}
