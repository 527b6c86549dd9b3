using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Faultline.Testing;

/// <summary>
/// The system under test as an http probe sees it: a real Kestrel endpoint on a free loopback port whose answer
/// (200 or 500) the test switches at will, so a steady-state probe or a guardrail sees the change for real.
/// It remembers when it was switched to failing and when it was last asked, for latency measurements.
/// </summary>
public sealed class HealthEndpoint : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly System.Collections.Concurrent.ConcurrentQueue<KeyValuePair<string, string>> _headers = new();
    private volatile bool _healthy = true;
    private long _requests;
    private long _failFrom = long.MaxValue;
    private long _failTo = long.MaxValue;

    private HealthEndpoint(WebApplication app)
    {
        _app = app;
    }

    public Uri Url { get; private set; } = null!;

    public long Requests => Interlocked.Read(ref _requests);

    /// <summary>Every value of the header <paramref name="name"/> the endpoint received, in arrival order.</summary>
    public IReadOnlyList<string> ReceivedHeader(string name) =>
        [.. _headers.Where(header => string.Equals(header.Key, name, StringComparison.OrdinalIgnoreCase)).Select(header => header.Value)];

    public bool Healthy
    {
        get => _healthy;
        set => _healthy = value;
    }

    /// <summary>
    /// Fails the requests numbered <paramref name="from"/> to <paramref name="to"/> (1-based, inclusive), for a
    /// failure at an exact point of a run without racing it: the baseline sample is request 1, and so on.
    /// </summary>
    public void FailRequests(long from, long to = long.MaxValue)
    {
        Interlocked.Exchange(ref _failTo, to);
        Interlocked.Exchange(ref _failFrom, from);
    }

    public static async Task<HealthEndpoint> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var endpoint = new HealthEndpoint(app);
        app.MapGet("/health", (HttpRequest request) =>
        {
            var number = Interlocked.Increment(ref endpoint._requests);
            foreach (var (name, values) in request.Headers)
            {
                foreach (var value in values)
                {
                    endpoint._headers.Enqueue(new KeyValuePair<string, string>(name, value ?? ""));
                }
            }

            var scripted = number >= Interlocked.Read(ref endpoint._failFrom) && number <= Interlocked.Read(ref endpoint._failTo);
            return endpoint._healthy && !scripted ? Results.Text("ok") : Results.StatusCode(StatusCodes.Status500InternalServerError);
        });
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        endpoint.Url = new Uri(new Uri(address), "/health");
        return endpoint;
    }

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();
}
