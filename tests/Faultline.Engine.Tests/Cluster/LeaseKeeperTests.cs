using System.Diagnostics;
using Faultline.Engine.Cluster;
using Microsoft.Extensions.Logging.Abstractions;

namespace Faultline.Engine.Tests.Cluster;

[Collection(ClusterDatabase.Name)]
public sealed class LeaseKeeperTests(PostgresServer postgres) : ClusterTest(postgres)
{
    private const string Kind = "run";
    private const string Key = "0196f1a0-run-1";

    /// <summary>Timers fire on whole milliseconds, so a deadline can pass a hair early by the stopwatch.</summary>
    private static readonly TimeSpan TimerGranularity = TimeSpan.FromMilliseconds(20);

    private readonly Guid _nodeA = Guid.CreateVersion7();
    private readonly Guid _nodeB = Guid.CreateVersion7();
    private PostgresLeaseProvider _provider = null!;

    public override async ValueTask InitializeAsync()
    {
        await base.InitializeAsync();
        _provider = new PostgresLeaseProvider(Leases);
    }

    [Fact]
    public async Task A_kept_lease_outlives_several_ttls_and_nobody_else_can_take_it()
    {
        var options = new LeaseKeeperOptions { Ttl = TimeSpan.FromMilliseconds(1200) };
        await using var keeper = (await AcquireAsync(_nodeA, options))!;
        var acquiredAt = (await Leases.GetAsync(Kind, Key, Ct))!.AcquiredAt;

        await Poll.UntilAsync(
            async () => await ScalarAsync<bool>("select now() > @acquiredAt + 3 * @ttl", new { acquiredAt, ttl = options.Ttl }),
            TimeSpan.FromSeconds(30), "three TTLs have passed by the database clock");

        Assert.False(keeper.IsLost);
        var stored = (await Leases.GetAsync(Kind, Key, Ct))!;
        Assert.Equal(_nodeA, stored.OwnerNode);
        Assert.Equal(keeper.Token, stored.Token);
        Assert.True(await ScalarAsync<bool>("select expires_at > now() from leases where kind = @Kind and key = @Key", new { Kind, Key }));
        Assert.Null(await AcquireAsync(_nodeB, options));
    }

    [Fact]
    public async Task A_stolen_lease_cancels_LeaseLost_within_one_renewal_interval()
    {
        var options = new LeaseKeeperOptions { Ttl = TimeSpan.FromSeconds(3) };
        await using var keeper = (await AcquireAsync(_nodeA, options))!;
        Assert.False(keeper.IsLost);

        await ExecuteAsync("update leases set expires_at = now() - interval '1 second' where kind = @Kind and key = @Key", new { Kind, Key });
        var thief = await Leases.TryAcquireAsync(Kind, Key, _nodeB, TimeSpan.FromMinutes(1), Ct);
        Assert.Equal(keeper.Token + 1, thief?.Token);
        var sinceSteal = Stopwatch.StartNew();

        // One interval, plus the round trip and scheduling of a busy two-core machine.
        await LeasePoll.UntilLostAsync(keeper, sinceSteal, options.RenewInterval + TimeSpan.FromSeconds(1), "the keeper finds its lease lost");

        await keeper.ReleaseAsync(Ct);
        var stored = (await Leases.GetAsync(Kind, Key, Ct))!;
        Assert.Equal(_nodeB, stored.OwnerNode);
        Assert.Equal(thief!.Token, stored.Token);
    }

    [Fact]
    public async Task A_renewal_that_cannot_get_through_loses_the_lease_by_the_keepers_own_deadline()
    {
        var options = new LeaseKeeperOptions { Ttl = TimeSpan.FromMilliseconds(1500) };
        var sinceAcquire = Stopwatch.StartNew();
        await using var keeper = (await AcquireAsync(_nodeA, options))!;

        // A lock on the lease row stalls every renewal, as a partition or an overloaded database would.
        await using var blocker = await DataSource.OpenConnectionAsync(Ct);
        await using var block = await blocker.BeginTransactionAsync(Ct);
        await using (var lockRow = new Npgsql.NpgsqlCommand($"select 1 from leases where kind = '{Kind}' and key = '{Key}' for update", blocker, block))
        {
            await lockRow.ExecuteNonQueryAsync(Ct);
        }

        var lostAt = await LeasePoll.UntilLostAsync(keeper, sinceAcquire, options.Ttl + TimeSpan.FromSeconds(3), "the keeper gives the lease up");

        Assert.True(lostAt >= options.Ttl - TimerGranularity, $"gave up {lostAt.TotalMilliseconds} ms after acquiring, before its TTL");
        var stored = (await Leases.GetAsync(Kind, Key, Ct))!;
        Assert.Equal(_nodeA, stored.OwnerNode);
        Assert.Equal(keeper.Token, stored.Token);
        await Poll.UntilAsync(
            async () => await ScalarAsync<long>(
                "select count(*) from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock'") == 0,
            TimeSpan.FromSeconds(10), "the abandoned renewal has been cancelled in the database");
        await block.RollbackAsync(Ct);

        await keeper.ReleaseAsync(Ct);
        Assert.Null((await Leases.GetAsync(Kind, Key, Ct))!.OwnerNode);
    }

    [Fact]
    public async Task Release_cancels_LeaseLost_and_frees_the_key_for_another_node_at_once()
    {
        var options = new LeaseKeeperOptions { Ttl = TimeSpan.FromMinutes(1) };
        var keeper = (await AcquireAsync(_nodeA, options))!;

        await keeper.ReleaseAsync(Ct);

        Assert.True(keeper.LeaseLost.IsCancellationRequested);
        await using var next = await AcquireAsync(_nodeB, options);
        Assert.Equal(keeper.Token + 1, next?.Token);
        await keeper.DisposeAsync();
        Assert.Equal(_nodeB, (await Leases.GetAsync(Kind, Key, Ct))!.OwnerNode);
    }

    [Fact]
    public async Task A_held_lease_gives_no_keeper_to_another_node()
    {
        var options = new LeaseKeeperOptions { Ttl = TimeSpan.FromMinutes(1) };
        await using var keeper = await AcquireAsync(_nodeA, options);

        Assert.NotNull(keeper);
        Assert.Equal(new ActorLease(Kind, Key, 1, _nodeA), keeper.Lease);
        Assert.Null(await AcquireAsync(_nodeB, options));
    }

    [Fact]
    public async Task A_lease_marked_lost_by_its_actor_is_not_renewed_any_more()
    {
        var options = new LeaseKeeperOptions { Ttl = TimeSpan.FromMilliseconds(600) };
        await using var keeper = (await AcquireAsync(_nodeA, options))!;

        keeper.MarkLost("a fenced write matched no row");

        Assert.True(keeper.IsLost);
        await Poll.UntilAsync(
            async () => await ScalarAsync<bool>("select now() > expires_at from leases where kind = @Kind and key = @Key", new { Kind, Key }),
            TimeSpan.FromSeconds(10), "the unrenewed lease expires");
        Assert.Equal(keeper.Token + 1, (await Leases.TryAcquireAsync(Kind, Key, _nodeB, TimeSpan.FromMinutes(1), Ct))?.Token);
    }

    private Task<LeaseKeeper?> AcquireAsync(Guid nodeId, LeaseKeeperOptions options) =>
        LeaseKeeper.TryAcquireAsync(_provider, Kind, Key, nodeId, options, NullLogger.Instance, Ct);
}
