using Faultline.Engine.Cluster;
using Microsoft.Extensions.Logging.Abstractions;

namespace Faultline.Engine.Tests.Cluster;

[Collection(ClusterDatabase.Name)]
public sealed class ClusterMembershipTests(PostgresServer postgres) : ClusterTest(postgres)
{
    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(100);

    /// <summary>Several intervals: one late heartbeat on a busy machine is not a death.</summary>
    private static readonly TimeSpan DeadAfter = TimeSpan.FromMilliseconds(1000);

    [Fact]
    public async Task A_started_node_is_registered_and_its_heartbeats_keep_it_live()
    {
        await using var membership = Create();

        await membership.StartAsync(Ct);

        var node = (await Nodes.GetAsync(membership.NodeId, Ct))!;
        Assert.Equal("http://127.0.0.1:5080", node.Address);
        await Poll.UntilAsync(
            async () => await ScalarAsync<bool>("select now() > @startedAt + 3 * @deadAfter", new { startedAt = node.StartedAt, deadAfter = DeadAfter }),
            TimeSpan.FromSeconds(30), "three dead-after spans have passed since the start");
        Assert.Contains(membership.NodeId, (await Nodes.ListLiveAsync(DeadAfter, Ct)).Select(n => n.Id));
        Assert.Empty(await Nodes.ListDeadAsync(DeadAfter, Ct));
    }

    [Fact]
    public async Task A_clean_stop_marks_the_node_stopped_so_it_is_never_taken_for_dead()
    {
        await using var membership = Create();
        await membership.StartAsync(Ct);

        await membership.StopAsync(Ct);

        Assert.NotNull((await Nodes.GetAsync(membership.NodeId, Ct))!.StoppedAt);
        Assert.Empty(await Nodes.ListLiveAsync(DeadAfter, Ct));
        Assert.Empty(await Nodes.ListDeadAsync(TimeSpan.FromTicks(10), Ct));
    }

    [Fact]
    public async Task A_node_that_goes_silent_without_stopping_is_found_dead()
    {
        var membership = Create();
        await membership.StartAsync(Ct);

        await membership.DisposeAsync();

        await Poll.UntilAsync(
            async () => (await Nodes.ListDeadAsync(DeadAfter, Ct)).Any(n => n.Id == membership.NodeId),
            TimeSpan.FromSeconds(30), "the silent node is found dead");
        Assert.Null((await Nodes.GetAsync(membership.NodeId, Ct))!.StoppedAt);
    }

    [Fact]
    public async Task A_node_whose_row_disappeared_registers_again()
    {
        await using var membership = Create(Guid.CreateVersion7());
        await membership.StartAsync(Ct);

        Assert.Equal(1, await ExecuteAsync("delete from cluster_nodes where id = @id", new { id = membership.NodeId }));

        await Poll.UntilAsync(
            async () => await Nodes.GetAsync(membership.NodeId, Ct) is not null,
            TimeSpan.FromSeconds(30), "the node is registered again");
    }

    [Fact]
    public async Task A_membership_starts_once()
    {
        await using var membership = Create();
        await membership.StartAsync(Ct);

        await Assert.ThrowsAsync<InvalidOperationException>(() => membership.StartAsync(Ct));
    }

    private ClusterMembership Create(Guid? nodeId = null) =>
        new(
            new PostgresMembershipTable(Nodes),
            new ClusterMembershipOptions { Address = "http://127.0.0.1:5080", HeartbeatInterval = Interval, NodeId = nodeId },
            NullLogger<ClusterMembership>.Instance);
}
