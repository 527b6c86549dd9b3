using System.Collections.Concurrent;
using System.Net;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Faultline.Tests.Commands;

/// <summary>
/// With OTEL_EXPORTER_OTLP_ENDPOINT set, a node exports its traces and metrics over OTLP. The collector here is
/// an in-test OTLP/HTTP receiver on 127.0.0.1 that records what it is sent; the payload is protobuf, in which
/// span names, attribute values and metric names appear as plain UTF-8.
/// </summary>
public sealed class OtlpExportTests(PostgresServer postgres)
{
    [Fact]
    public async Task A_node_exports_request_spans_and_metrics_to_the_configured_collector()
    {
        var received = new ConcurrentQueue<(string Path, string ContentType, byte[] Body)>();
        await using var collector = await StartCollectorAsync(received);

        await using var node = FaultlineProcess.Start(
            new Dictionary<string, string?>
            {
                ["FAULTLINE_DB"] = await postgres.CreateDatabaseAsync("otlpexport"),
                ["OTEL_EXPORTER_OTLP_ENDPOINT"] = collector.Address,
                ["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf",
                ["OTEL_BSP_SCHEDULE_DELAY"] = "200",
                ["OTEL_METRIC_EXPORT_INTERVAL"] = "500",
            },
            "server", "--port", "0");
        var address = new Uri((await node.WaitForLineAsync(@"Faultline is up at (http://127\.0\.0\.1:\d+)", TimeSpan.FromSeconds(90))).Groups[1].Value);
        using var client = LoopbackHttp.CreateClient(address);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/readyz", TestContext.Current.CancellationToken)).StatusCode);

        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (DateTime.UtcNow < deadline && !(Contains(received, "/v1/traces", "/readyz") && Contains(received, "/v1/metrics", "http.server.request.duration")))
        {
            await Task.Delay(200, TestContext.Current.CancellationToken);
        }

        Assert.True(Contains(received, "/v1/traces", "/readyz"), $"no span for GET /readyz reached the collector; got {Describe(received)}");
        Assert.True(Contains(received, "/v1/traces", "GET /readyz"), "the request span is named after its method and route");
        Assert.True(Contains(received, "/v1/traces", "http.response.status_code"), "the request span carries the HTTP semantic tags");
        Assert.True(Contains(received, "/v1/traces", "schema_migrations"), "database calls are spans too (Npgsql)");
        Assert.True(Contains(received, "/v1/traces", "faultline"), "spans carry the service name");
        Assert.True(Contains(received, "/v1/metrics", "http.server.request.duration"), $"no HTTP server metric reached the collector; got {Describe(received)}");
        Assert.All(received, r => Assert.Equal("application/x-protobuf", r.ContentType));
    }

    private static bool Contains(ConcurrentQueue<(string Path, string ContentType, byte[] Body)> received, string path, string text) =>
        received.Any(r => r.Path == path && Encoding.UTF8.GetString(r.Body).Contains(text, StringComparison.Ordinal));

    private static string Describe(ConcurrentQueue<(string Path, string ContentType, byte[] Body)> received) =>
        received.IsEmpty ? "nothing" : string.Join(", ", received.Select(r => $"{r.Path} ({r.Body.Length} bytes)"));

    private static async Task<Collector> StartCollectorAsync(ConcurrentQueue<(string Path, string ContentType, byte[] Body)> received)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        app.MapPost("/v1/{signal}", async (HttpContext context) =>
        {
            using var buffer = new MemoryStream();
            await context.Request.Body.CopyToAsync(buffer);
            received.Enqueue((context.Request.Path, context.Request.ContentType ?? "", buffer.ToArray()));
            return Results.Ok();
        });
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new Collector(app, address);
    }

    private sealed record Collector(WebApplication App, string Address) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            await App.StopAsync();
            await App.DisposeAsync();
        }
    }
}
