using Faultline.Storage.Cluster;

namespace Faultline.Storage.Tests.Cluster;

public sealed class NodeStoreTests(PostgresServer postgres) : StorageTest(postgres)
{
    private static readonly TimeSpan LongTtl = TimeSpan.FromMinutes(1);

    private NodeStore _store = null!;

    public override async ValueTask InitializeAsync()
    {
        await base.InitializeAsync();
        _store = new NodeStore(DataSource);
    }

    [Fact]
    public async Task A_registered_node_is_live_and_stamped_by_the_database_clock()
    {
        var nodeId = Guid.CreateVersion7();
        var before = await ScalarAsync<DateTime>("select now()");

        var node = await _store.RegisterAsync(nodeId, "http://10.0.0.7:8080", Ct);

        var after = await ScalarAsync<DateTime>("select now()");
        Assert.Equal(nodeId, node.Id);
        Assert.Equal("http://10.0.0.7:8080", node.Address);
        Assert.InRange(node.StartedAt, before, after);
        Assert.Equal(node.StartedAt, node.HeartbeatAt);
        Assert.Null(node.StoppedAt);
        Assert.Equal([nodeId], (await _store.ListLiveAsync(LongTtl, Ct)).Select(n => n.Id));
        Assert.Empty(await _store.ListDeadAsync(LongTtl, Ct));
    }

    [Fact]
    public async Task A_heartbeat_moves_heartbeat_at_forward_and_keeps_the_start()
    {
        var node = await _store.RegisterAsync(Guid.CreateVersion7(), "node-a", Ct);
        await Poll.UntilAsync(
            async () => await ScalarAsync<bool>("select now() > @heartbeatAt", new { heartbeatAt = node.HeartbeatAt }),
            TimeSpan.FromSeconds(10), "the database clock moves past the registration");

        Assert.True(await _store.HeartbeatAsync(node.Id, Ct));

        var stored = (await _store.GetAsync(node.Id, Ct))!;
        Assert.True(stored.HeartbeatAt > node.HeartbeatAt, $"heartbeat at {stored.HeartbeatAt:O}, registered at {node.HeartbeatAt:O}");
        Assert.Equal(node.StartedAt, stored.StartedAt);
    }

    [Fact]
    public async Task Registering_again_is_idempotent_and_keeps_the_start()
    {
        var first = await _store.RegisterAsync(Guid.CreateVersion7(), "node-a", Ct);

        var again = await _store.RegisterAsync(first.Id, "node-a2", Ct);

        Assert.Equal(first.StartedAt, again.StartedAt);
        Assert.Equal("node-a2", again.Address);
        Assert.Equal(1L, await ScalarAsync<long>("select count(*) from cluster_nodes"));
    }

    [Fact]
    public async Task A_stopped_node_is_neither_live_nor_dead_and_its_heartbeats_are_refused()
    {
        var node = await _store.RegisterAsync(Guid.CreateVersion7(), "node-a", Ct);

        Assert.True(await _store.MarkStoppedAsync(node.Id, Ct));

        Assert.NotNull((await _store.GetAsync(node.Id, Ct))!.StoppedAt);
        Assert.False(await _store.MarkStoppedAsync(node.Id, Ct));
        Assert.False(await _store.HeartbeatAsync(node.Id, Ct));
        Assert.False(await _store.HeartbeatAsync(Guid.CreateVersion7(), Ct));
        Assert.Empty(await _store.ListLiveAsync(LongTtl, Ct));
        Assert.Empty(await _store.ListDeadAsync(TimeSpan.FromTicks(10), Ct));
    }

    [Fact]
    public async Task A_silent_node_is_found_dead_after_the_ttl_while_a_heartbeating_or_stopped_one_is_not()
    {
        var ttl = TimeSpan.FromSeconds(1);
        var silent = await _store.RegisterAsync(Guid.CreateVersion7(), "silent", Ct);
        var beating = await _store.RegisterAsync(Guid.CreateVersion7(), "beating", Ct);
        var stopped = await _store.RegisterAsync(Guid.CreateVersion7(), "stopped", Ct);
        await _store.MarkStoppedAsync(stopped.Id, Ct);
        Assert.Equal(
            new[] { silent.Id, beating.Id }.Order(),
            (await _store.ListLiveAsync(ttl, Ct)).Select(n => n.Id));

        await Poll.UntilAsync(
            async () =>
            {
                Assert.True(await _store.HeartbeatAsync(beating.Id, Ct));
                return (await _store.ListDeadAsync(ttl, Ct)).Any(n => n.Id == silent.Id);
            },
            TimeSpan.FromSeconds(15), "the silent node is found dead");
        await _store.HeartbeatAsync(beating.Id, Ct);

        Assert.Equal([silent.Id], (await _store.ListDeadAsync(ttl, Ct)).Select(n => n.Id));
        Assert.Equal([beating.Id], (await _store.ListLiveAsync(ttl, Ct)).Select(n => n.Id));
        Assert.True(await ScalarAsync<bool>(
            "select now() - heartbeat_at >= @ttl from cluster_nodes where id = @id", new { ttl, id = silent.Id }));
    }
}
