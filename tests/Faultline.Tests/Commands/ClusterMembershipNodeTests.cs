using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;

namespace Faultline.Tests.Commands;

/// <summary>Two real nodes over one database: each sees the other by its heartbeats; a killed node turns dead, a stopped one says so.</summary>
public sealed class ClusterMembershipNodeTests(PostgresServer postgres)
{
    [Fact]
    public async Task Nodes_see_each_other_live_then_a_killed_node_dead_and_a_stopped_node_stopped()
    {
        var database = await postgres.CreateDatabaseAsync("membership");
        var environment = new Dictionary<string, string?> { ["FAULTLINE_DB"] = database, ["FAULTLINE_HEARTBEAT_MS"] = "300" };
        await using var first = FaultlineProcess.Start(environment, "server", "--port", "0");
        var key = (await first.WaitForLineAsync(@"FAULTLINE_API_KEY=(flk_\S+)", TimeSpan.FromSeconds(90))).Groups[1].Value;
        var firstNode = Guid.Parse((await first.WaitForLineAsync(@"Node ([0-9a-f-]{36}) joined", TimeSpan.FromSeconds(90))).Groups[1].Value);
        var address = new Uri((await first.WaitForLineAsync(@"Faultline is up at (http://127\.0\.0\.1:\d+)", TimeSpan.FromSeconds(90))).Groups[1].Value);
        await using var second = FaultlineProcess.Start(environment, "server", "--port", "0");
        var secondNode = Guid.Parse((await second.WaitForLineAsync(@"Node ([0-9a-f-]{36}) joined", TimeSpan.FromSeconds(90))).Groups[1].Value);
        using var client = LoopbackHttp.CreateClient(address);
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);

        Assert.Equal("live", (await StatusesAsync(client))[firstNode]);
        Assert.Equal("live", (await StatusesAsync(client))[secondNode]);

        // SIGKILL: no goodbye. After three missed heartbeats (judged by the database clock) the node is dead.
        second.Signal(Signals.Kill);
        await second.WaitForExitAsync(TimeSpan.FromSeconds(30));
        await Poll.UntilAsync(async () => (await StatusesAsync(client))[secondNode] == "dead", TimeSpan.FromSeconds(30), "the killed node is reported dead");
        Assert.Equal("live", (await StatusesAsync(client))[firstNode]);

        // SIGTERM: a clean stop marks the node stopped, so nobody mistakes it for a crash.
        first.Signal(Signals.Terminate);
        Assert.Equal(0, await first.WaitForExitAsync(TimeSpan.FromSeconds(30)));
        await using var third = FaultlineProcess.Start(environment, "server", "--port", "0");
        var thirdAddress = new Uri((await third.WaitForLineAsync(@"Faultline is up at (http://127\.0\.0\.1:\d+)", TimeSpan.FromSeconds(90))).Groups[1].Value);
        using var thirdClient = LoopbackHttp.CreateClient(thirdAddress);
        thirdClient.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        Assert.Equal("stopped", (await StatusesAsync(thirdClient))[firstNode]);
    }

    private static async Task<Dictionary<Guid, string>> StatusesAsync(HttpClient client)
    {
        var response = await client.GetAsync("/api/v1/cluster/nodes", TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        return body.RootElement.EnumerateArray().ToDictionary(n => n.GetProperty("id").GetGuid(), n => n.GetProperty("status").GetString()!);
    }
}
