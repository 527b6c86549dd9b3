using System.Collections.Concurrent;
using Faultline.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Faultline.Plugins.Http.Tests;

/// <summary>
/// The system an http probe measures: a real Kestrel server on a free loopback port whose endpoints answer with
/// chosen statuses and delays, and which counts and records what it receives.
/// <list type="bullet">
/// <item><c>/status/{code}</c>: answers with that status (<c>/status/302</c> redirects to <c>/status/500</c>);</item>
/// <item><c>/mix/{failEvery}</c>: 500 for every failEvery-th request it receives, 200 otherwise;</item>
/// <item><c>/delay/{ms}</c>: 200 after that many milliseconds (the delay is the behaviour under test);</item>
/// <item><c>/slow-every/{n}/{ms}</c>: every n-th request it receives waits that many milliseconds, the others none;</item>
/// <item><c>/echo</c>: records method, headers and body, answers 201.</item>
/// </list>
/// </summary>
internal sealed class ProbeTargetServer : IAsyncDisposable
{
    private const string ArrivalKey = "arrival";

    private readonly WebApplication _app;
    private readonly ConcurrentDictionary<string, int> _hits = new(StringComparer.Ordinal);
    private int _inFlight;
    private int _maxInFlight;

    private ProbeTargetServer(WebApplication app)
    {
        _app = app;
    }

    /// <summary>The address Kestrel bound, e.g. <c>http://127.0.0.1:41234</c>.</summary>
    public Uri BaseAddress { get; private set; } = null!;

    /// <summary>The most requests the delay endpoint had in flight at once.</summary>
    public int MaxInFlight => Volatile.Read(ref _maxInFlight);

    public RecordedRequest? LastEcho { get; private set; }

    public string Url(string path) => new Uri(BaseAddress, path).ToString();

    /// <summary>How many requests a path (e.g. <c>/status/200</c>) received.</summary>
    public int Hits(string path) => _hits.GetValueOrDefault(path);

    public static async Task<ProbeTargetServer> StartAsync(CancellationToken cancellationToken)
    {
        ProbeTargetServer server = null!;
        var (_, baseAddress) = await LoopbackWebApp.StartAsync(typeof(ProbeTargetServer), app => server = Map(app), cancellationToken);
        server.BaseAddress = baseAddress;
        return server;
    }

    private static ProbeTargetServer Map(WebApplication app)
    {
        var server = new ProbeTargetServer(app);
        app.Use(async (context, next) =>
        {
            // The count this request made, kept with it: reading the counter later could see a concurrent request's.
            context.Items[ArrivalKey] = server._hits.AddOrUpdate(context.Request.Path.Value ?? "", 1, (_, count) => count + 1);
            await next(context);
        });
        app.Map("/status/{code:int}", (int code, HttpContext context) =>
        {
            if (code == 302)
            {
                context.Response.Headers.Location = "/status/500";
            }

            context.Response.StatusCode = code;
            return Task.CompletedTask;
        });
        app.Map("/mix/{failEvery:int}", (int failEvery, HttpContext context) =>
        {
            // By arrival number, so the split is exact whatever order concurrent requests come in.
            context.Response.StatusCode = (int)context.Items[ArrivalKey]! % failEvery == 0 ? 500 : 200;
            return Task.CompletedTask;
        });
        app.Map("/delay/{milliseconds:int}", async (int milliseconds, HttpContext context) =>
        {
            var now = Interlocked.Increment(ref server._inFlight);
            InterlockedMax(ref server._maxInFlight, now);
            try
            {
                await Task.Delay(milliseconds, context.RequestAborted);
                context.Response.StatusCode = 200;
                await context.Response.WriteAsync("slow", context.RequestAborted);
            }
            catch (OperationCanceledException)
            {
                // The probe gave up (its timeout): nobody is left to answer.
            }
            finally
            {
                Interlocked.Decrement(ref server._inFlight);
            }
        });
        app.Map("/slow-every/{every:int}/{milliseconds:int}", async (int every, int milliseconds, HttpContext context) =>
        {
            if ((int)context.Items[ArrivalKey]! % every == 0)
            {
                await Task.Delay(milliseconds, context.RequestAborted);
            }

            context.Response.StatusCode = 200;
        });
        app.Map("/echo", async (HttpContext context) =>
        {
            using var reader = new StreamReader(context.Request.Body);
            var body = await reader.ReadToEndAsync(context.RequestAborted);
            server.LastEcho = new RecordedRequest(
                context.Request.Method,
                context.Request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase),
                body);
            context.Response.StatusCode = 201;
        });

        return server;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private static void InterlockedMax(ref int location, int value)
    {
        int current;
        while (value > (current = Volatile.Read(ref location)) && Interlocked.CompareExchange(ref location, value, current) != current)
        {
            // Another request raised it meanwhile; compare again.
        }
    }
}
