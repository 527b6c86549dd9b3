using Faultline.Testing;
using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Faultline.Plugins.Prometheus.Tests;

/// <summary>
/// A gateway in front of a Prometheus API that takes a bearer token, which Prometheus itself cannot check: a real
/// Kestrel server on loopback. With the right token it answers a fixed scalar of 3 with a warning, as a Thanos
/// query with a store down would; without it, 401 with a body that repeats the Authorization header it got (as
/// careless proxies do), so the tests can see that the provider keeps it out of its messages.
/// </summary>
internal sealed class ApiGateway : IAsyncDisposable
{
    public const string Warning = "partial response: store 10.0.0.7:10901 did not answer";

    private readonly string _token;
    private WebApplication? _app;

    private ApiGateway(string token)
    {
        _token = token;
    }

    public Uri BaseAddress { get; private set; } = null!;

    /// <summary>The headers of every request, in order.</summary>
    public ConcurrentQueue<IReadOnlyDictionary<string, string>> Requests { get; } = new();

    public static async Task<ApiGateway> StartAsync(string token, CancellationToken cancellationToken)
    {
        var gateway = new ApiGateway(token);
        (gateway._app, gateway.BaseAddress) = await LoopbackWebApp.StartAsync(typeof(ApiGateway), app => app.Map("/api/v1/{endpoint}", gateway.AnswerAsync), cancellationToken);
        return gateway;
    }

    public ValueTask DisposeAsync() => _app is null ? ValueTask.CompletedTask : LoopbackWebApp.StopAsync(_app);

    private Task AnswerAsync(HttpContext context)
    {
        Requests.Enqueue(context.Request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase));
        var authorization = context.Request.Headers.Authorization.ToString();
        if (authorization != $"Bearer {_token}")
        {
            context.Response.StatusCode = StatusCodes.Status401Unauthorized;
            context.Response.ContentType = "text/plain";
            return context.Response.WriteAsync($"Unauthorized: '{authorization}' is not a valid token", context.RequestAborted);
        }

        context.Response.ContentType = "application/json";
        return context.Response.WriteAsync(
            $$"""{"status":"success","data":{"resultType":"scalar","result":[1700000000.25,"3"]},"warnings":["{{Warning}}"]}""",
            context.RequestAborted);
    }
}
