using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Faultline.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Faultline.Plugins.Datadog.Tests;

/// <summary>
/// A stand-in for Datadog's API on a free loopback port (real Kestrel), answering in the documented shapes
/// (https://docs.datadoghq.com/api/latest/metrics/query-timeseries-points/,
/// https://docs.datadoghq.com/api/latest/monitors/get-a-monitors-details/, https://docs.datadoghq.com/api/latest/rate-limits/):
/// <list type="bullet">
/// <item>every request must carry DD-API-KEY <see cref="ApiKey"/> and DD-APPLICATION-KEY <see cref="ApplicationKey"/>,
/// or gets 403 <c>{"errors":["Forbidden"]}</c>;</item>
/// <item>scripted replies (<see cref="Script"/>) answer the next requests, in order, before the normal answers;</item>
/// <item><c>GET /api/v1/query</c>: the series set for the query text (<see cref="SetSeries"/>), else an empty list;</item>
/// <item><c>GET /api/v1/monitor/{id}</c>: the monitor set with <see cref="SetMonitor"/>, else 404 <c>{"errors":["Monitor not found"]}</c>.</item>
/// </list>
/// Every request is recorded with its arrival time.
/// </summary>
internal sealed class FakeDatadog : IAsyncDisposable
{
    public const string ApiKey = "0123456789abcdef0123456789abcdef";
    public const string ApplicationKey = "fedcba9876543210fedcba9876543210fedcba98";

    private readonly WebApplication _app;
    private readonly ConcurrentQueue<Reply> _script = new();
    private readonly ConcurrentQueue<RecordedCall> _calls = new();
    private readonly ConcurrentDictionary<string, string> _series = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<long, string> _monitors = new();

    private FakeDatadog(WebApplication app)
    {
        _app = app;
    }

    /// <summary>The address Kestrel bound, e.g. <c>http://127.0.0.1:41234/</c>: the provider's <c>url</c>.</summary>
    public string Url { get; private set; } = null!;

    /// <summary>Headers added to every normal (unscripted) answer, e.g. an exhausted X-RateLimit-Remaining.</summary>
    public IDictionary<string, string> NormalHeaders { get; } = new ConcurrentDictionary<string, string>(StringComparer.Ordinal);

    public IReadOnlyList<RecordedCall> Calls => [.. _calls];

    /// <summary>How many requests reached a path (e.g. <c>/api/v1/query</c>), accepted keys or not.</summary>
    public int Attempts(string path) => _calls.Count(c => c.Path == path);

    /// <summary>The configuration a probe of this server uses, with the right keys unless told otherwise.</summary>
    public Dictionary<string, object> Configuration(string apiKey = ApiKey, string applicationKey = ApplicationKey) => new()
    {
        ["url"] = Url,
        ["apiKey"] = apiKey,
        ["applicationKey"] = applicationKey,
    };

    public void Script(params Reply[] replies)
    {
        foreach (var reply in replies)
        {
            _script.Enqueue(reply);
        }
    }

    /// <summary>The series[] array (JSON) answered for a query text.</summary>
    public void SetSeries(string query, string seriesJson) => _series[query] = seriesJson;

    public void SetMonitor(long id, string overallState, string name = "checkout errors") =>
        _monitors[id] = JsonSerializer.Serialize(new
        {
            id,
            name,
            type = "query alert",
            query = "avg(last_5m):avg:trace.http.request.errors{service:checkout} > 5",
            overall_state = overallState,
            overall_state_modified = "2026-01-01T00:00:00+00:00",
        });

    public static async Task<FakeDatadog> StartAsync(CancellationToken cancellationToken)
    {
        FakeDatadog server = null!;
        var (_, baseAddress) = await LoopbackWebApp.StartAsync(
            typeof(FakeDatadog),
            app =>
            {
                server = new FakeDatadog(app);
                app.Use(server.AnswerAsync);
            },
            cancellationToken);
        server.Url = baseAddress.ToString();
        return server;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private async Task AnswerAsync(HttpContext context, RequestDelegate next)
    {
        var request = context.Request;
        var keysAccepted = request.Headers["DD-API-KEY"] == ApiKey && request.Headers["DD-APPLICATION-KEY"] == ApplicationKey;
        _calls.Enqueue(new RecordedCall(
            request.Path.Value ?? "",
            request.Query.ToDictionary(q => q.Key, q => q.Value.ToString(), StringComparer.Ordinal),
            Stopwatch.GetTimestamp(),
            keysAccepted));

        if (!keysAccepted)
        {
            await WriteAsync(context, Reply.Error(403, "Forbidden"));
        }
        else if (_script.TryDequeue(out var scripted))
        {
            await WriteAsync(context, scripted);
        }
        else if (request.Path == "/api/v1/query")
        {
            await WriteAsync(context, QueryReply(request));
        }
        else if (request.Path.StartsWithSegments("/api/v1/monitor", out var rest) &&
            long.TryParse(rest.Value?.TrimStart('/'), NumberStyles.None, CultureInfo.InvariantCulture, out var id))
        {
            await WriteAsync(context, _monitors.TryGetValue(id, out var monitor) ? Normal(monitor) : Reply.Error(404, "Monitor not found"));
        }
        else
        {
            await WriteAsync(context, Reply.Error(404, "Not found"));
        }
    }

    private Reply QueryReply(HttpRequest request)
    {
        var query = request.Query["query"].ToString();
        if (!long.TryParse(request.Query["from"], CultureInfo.InvariantCulture, out var from) ||
            !long.TryParse(request.Query["to"], CultureInfo.InvariantCulture, out var to))
        {
            return Reply.Error(400, "The 'from' and 'to' parameters are required");
        }

        var series = _series.GetValueOrDefault(query, "[]");
        return Normal($$"""
            {"status":"ok","res_type":"time_series","resp_version":1,"query":{{JsonSerializer.Serialize(query)}},
             "from_date":{{from * 1000}},"to_date":{{to * 1000}},"group_by":[],"message":"","series":{{series}}}
            """);
    }

    private Reply Normal(string body) => new(200, body, new Dictionary<string, string>(NormalHeaders));

    private static async Task WriteAsync(HttpContext context, Reply reply)
    {
        if (reply.Hang)
        {
            try
            {
                await Task.Delay(Timeout.Infinite, context.RequestAborted);
            }
            catch (OperationCanceledException)
            {
                // The client gave up: nobody is left to answer.
            }

            return;
        }

        context.Response.StatusCode = reply.Status;
        context.Response.ContentType = "application/json";
        foreach (var (name, value) in reply.Headers ?? new Dictionary<string, string>())
        {
            context.Response.Headers[name] = value;
        }

        await context.Response.WriteAsync(reply.Body, context.RequestAborted);
    }
}
