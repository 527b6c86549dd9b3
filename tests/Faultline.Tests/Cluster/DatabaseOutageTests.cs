using Faultline.Storage.Embedded;
using Npgsql;

namespace Faultline.Tests.Cluster;

/// <summary>
/// The database goes away in the middle of a fault. Rollback must never wait on it: the node removes the fault
/// on its own once it can no longer prove it owns the run, and the records catch up when the database is back.
/// The test has a PostgreSQL server of its own, since it stops it.
/// </summary>
public sealed class DatabaseOutageTests : IAsyncLifetime
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    // Not CreateTempSubdirectory: its 0700 folder would keep the postgres user out when the tests run as root.
    private readonly string _root = Path.Combine(Path.GetTempPath(), $"faultline-outage-{Environment.ProcessId}-{Guid.NewGuid():N}");
    private EmbeddedPostgres? _postgres;

    public async ValueTask InitializeAsync() => _postgres = await EmbeddedPostgres.StartAsync(Path.Combine(_root, "pg"));

    [Fact]
    public async Task With_the_database_down_mid_fault_the_node_removes_the_fault_itself_and_the_run_closes_when_the_database_returns()
    {
        var postgres = _postgres!;
        await using (var admin = new NpgsqlConnection(postgres.ConnectionString()))
        {
            await admin.OpenAsync(TestContext.Current.CancellationToken);
            await using var create = new NpgsqlCommand("create database outage", admin);
            await create.ExecuteNonQueryAsync(TestContext.Current.CancellationToken);
        }

        await using var cluster = ClusterNodes.Create(postgres.ConnectionString("outage"));
        await using var health = await HealthEndpoint.StartAsync();
        var (node, _, client) = await cluster.StartNodeAsync();
        using var api = client;
        var experiment = await api.CreateExperimentAsync(RunApi.NoopExperiment("outage", health.Url, duration: "300s"));
        var runId = await api.StartRunAsync(experiment);
        await api.WaitForRunAsync(runId, Patience, run => run.GetProperty("state").GetString() == "observing");
        Assert.Single(cluster.Markers());

        NpgsqlConnection.ClearAllPools();
        await postgres.StopAsync();
        var stoppedAt = DateTimeOffset.UtcNow;
        await node.WaitForLineAsync("lease lost", Patience);
        await Poll.UntilAsync(() => Task.FromResult(cluster.Markers().Count == 0), Patience, "the node to remove its fault with the database down");
        var removedAfter = DateTimeOffset.UtcNow - stoppedAt;
        TestContext.Current.TestOutputHelper?.WriteLine($"fault removed {removedAfter.TotalSeconds:0.0} s after the database stopped (lease TTL {ClusterNodes.LeaseTtl.TotalSeconds:0} s)");
        Assert.True(removedAfter < ClusterNodes.LeaseTtl + TimeSpan.FromSeconds(10), $"the fault stayed {removedAfter.TotalSeconds:0.0} s without a database");

        await postgres.RestartAsync(TestContext.Current.CancellationToken);
        var closed = await api.WaitForRunAsync(runId, Patience);

        Assert.Equal("aborted", closed.GetProperty("verdict").GetString());
        var fault = Assert.Single(closed.GetProperty("faults").EnumerateArray());
        Assert.Equal("removed", fault.GetProperty("state").GetString());
        Assert.Empty(cluster.Markers());
        Assert.False(node.HasExited, "a database outage stops runs, not the node");
    }

    public async ValueTask DisposeAsync()
    {
        if (_postgres is not null)
        {
            NpgsqlConnection.ClearAllPools();
            await _postgres.StopAsync();
        }

        try
        {
            Directory.Delete(_root, recursive: true);
        }
        catch (IOException)
        {
            // PostgreSQL may still be writing its log as it stops; the temp folder is cleaned by the OS eventually.
        }
        catch (UnauthorizedAccessException)
        {
            // The data directory belongs to the postgres user when the tests run as root.
        }
    }
}
