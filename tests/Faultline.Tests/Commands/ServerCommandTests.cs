using System.Diagnostics;
using System.Net;
using System.Text.Json;

namespace Faultline.Tests.Commands;

/// <summary>`faultline server` over an external database, as a deployment runs it: structured logs with trace ids.</summary>
public sealed class ServerCommandTests(PostgresServer postgres)
{
    [Fact]
    public async Task Json_logs_carry_the_trace_id_of_the_request()
    {
        var connectionString = await postgres.CreateDatabaseAsync("servercommand");
        await using var server = FaultlineProcess.Start(
            new Dictionary<string, string?> { ["FAULTLINE_DB"] = connectionString },
            "server", "--port", "0");
        var address = new Uri((await server.WaitForLineAsync(@"Faultline is up at (http://127\.0\.0\.1:\d+)", TimeSpan.FromSeconds(90))).Groups[1].Value);
        var traceId = ActivityTraceId.CreateRandom().ToString();
        using var client = LoopbackHttp.CreateClient(address);
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/v1/teams");
        request.Headers.Add("traceparent", $"00-{traceId}-{ActivitySpanId.CreateRandom()}-01");

        var response = await client.SendAsync(request, TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        var line = await server.WaitForLineAsync($@"\{{[^\n]*""TraceId"":""{traceId}""[^\n]*\}}", TimeSpan.FromSeconds(10));
        using var entry = JsonDocument.Parse(line.Value);
        Assert.True(entry.RootElement.TryGetProperty("Timestamp", out _));
        Assert.True(entry.RootElement.TryGetProperty("Category", out _));

        // The same trace id comes back to the client as the request id, to quote in a support ticket.
        Assert.Equal(traceId, response.Headers.GetValues("X-Request-Id").Single());
    }
}
