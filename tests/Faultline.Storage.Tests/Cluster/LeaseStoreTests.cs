using Faultline.Storage.Cluster;

namespace Faultline.Storage.Tests.Cluster;

public sealed class LeaseStoreTests(PostgresServer postgres) : StorageTest(postgres)
{
    private const string Kind = "run";
    private const string Key = "0196f1a0-run-1";
    private static readonly TimeSpan Ttl = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan ShortTtl = TimeSpan.FromMilliseconds(300);

    private readonly Guid _nodeA = Guid.CreateVersion7();
    private readonly Guid _nodeB = Guid.CreateVersion7();
    private LeaseStore _store = null!;

    public override async ValueTask InitializeAsync()
    {
        await base.InitializeAsync();
        _store = new LeaseStore(DataSource);
    }

    [Theory]
    [InlineData(300)]
    [InlineData(30_000)]
    [InlineData(26 * 60 * 60 * 1000)] // beyond a day: the TTL travels as an interval, not a time of day
    public async Task A_free_lease_is_acquired_with_token_1_for_exactly_its_ttl(int ttlMilliseconds)
    {
        var ttl = TimeSpan.FromMilliseconds(ttlMilliseconds);

        var grant = await _store.TryAcquireAsync(Kind, Key, _nodeA, ttl, Ct);

        Assert.NotNull(grant);
        Assert.Equal(1, grant.Token);
        Assert.Equal(_nodeA, grant.OwnerNode);
        Assert.Equal(ttl, grant.ExpiresAt - grant.AcquiredAt);
        var stored = await _store.GetAsync(Kind, Key, Ct);
        Assert.Equal(new LeaseRecord(Kind, Key, _nodeA, 1, grant.AcquiredAt, grant.ExpiresAt, null), stored);
    }

    [Fact]
    public async Task A_lease_is_granted_by_the_database_clock()
    {
        var before = await ScalarAsync<DateTime>("select now()");

        var grant = await _store.TryAcquireAsync(Kind, Key, _nodeA, Ttl, Ct);

        var after = await ScalarAsync<DateTime>("select now()");
        Assert.InRange(grant!.AcquiredAt, before, after);
    }

    [Fact]
    public async Task A_held_lease_cannot_be_acquired_by_another_node_nor_again_by_its_holder()
    {
        var grant = await _store.TryAcquireAsync(Kind, Key, _nodeA, Ttl, Ct);

        Assert.Null(await _store.TryAcquireAsync(Kind, Key, _nodeB, Ttl, Ct));
        Assert.Null(await _store.TryAcquireAsync(Kind, Key, _nodeA, Ttl, Ct));

        var stored = await _store.GetAsync(Kind, Key, Ct);
        Assert.Equal(new LeaseRecord(Kind, Key, _nodeA, 1, grant!.AcquiredAt, grant.ExpiresAt, null), stored);
    }

    [Fact]
    public async Task Leases_of_different_keys_or_kinds_are_independent()
    {
        await _store.TryAcquireAsync(Kind, Key, _nodeA, Ttl, Ct);

        var otherKey = await _store.TryAcquireAsync(Kind, "0196f1a0-run-2", _nodeB, Ttl, Ct);
        var otherKind = await _store.TryAcquireAsync("target", Key, _nodeB, Ttl, Ct);

        Assert.Equal(1, otherKey?.Token);
        Assert.Equal(1, otherKind?.Token);
    }

    [Fact]
    public async Task The_holder_renews_its_lease_from_the_database_now_and_keeps_its_token()
    {
        var grant = (await _store.TryAcquireAsync(Kind, Key, _nodeA, Ttl, Ct))!;
        await Poll.UntilAsync(
            async () => await ScalarAsync<bool>("select now() > @acquiredAt", new { acquiredAt = grant.AcquiredAt }),
            TimeSpan.FromSeconds(10), "the database clock moves past the acquisition");

        var renewed = await _store.TryRenewAsync(Kind, Key, _nodeA, grant.Token, Ttl, Ct);

        Assert.NotNull(renewed);
        Assert.Equal(grant.Token, renewed.Token);
        Assert.Equal(grant.AcquiredAt, renewed.AcquiredAt);
        Assert.True(renewed.ExpiresAt > grant.ExpiresAt, $"renewed to {renewed.ExpiresAt:O}, was {grant.ExpiresAt:O}");
        Assert.Equal(renewed.ExpiresAt, (await _store.GetAsync(Kind, Key, Ct))!.ExpiresAt);
    }

    [Fact]
    public async Task A_renewal_with_a_stale_token_or_by_another_node_is_refused_and_changes_nothing()
    {
        var grant = (await _store.TryAcquireAsync(Kind, Key, _nodeA, Ttl, Ct))!;

        Assert.Null(await _store.TryRenewAsync(Kind, Key, _nodeA, grant.Token + 1, Ttl, Ct));
        Assert.Null(await _store.TryRenewAsync(Kind, Key, _nodeA, grant.Token - 1, Ttl, Ct));
        Assert.Null(await _store.TryRenewAsync(Kind, Key, _nodeB, grant.Token, Ttl, Ct));
        Assert.Null(await _store.TryRenewAsync(Kind, "no-such-key", _nodeA, grant.Token, Ttl, Ct));

        Assert.Equal(grant.ExpiresAt, (await _store.GetAsync(Kind, Key, Ct))!.ExpiresAt);
    }

    [Fact]
    public async Task An_expired_lease_cannot_be_renewed_even_by_its_holder()
    {
        var grant = (await _store.TryAcquireAsync(Kind, Key, _nodeA, ShortTtl, Ct))!;
        await WaitUntilExpiredAsync();

        Assert.Null(await _store.TryRenewAsync(Kind, Key, _nodeA, grant.Token, Ttl, Ct));
    }

    [Fact]
    public async Task An_expired_lease_is_stolen_with_the_next_token_and_the_old_holder_cannot_renew()
    {
        var first = (await _store.TryAcquireAsync(Kind, Key, _nodeA, ShortTtl, Ct))!;
        Assert.Null(await _store.TryAcquireAsync(Kind, Key, _nodeB, Ttl, Ct));
        await WaitUntilExpiredAsync();

        var stolen = await _store.TryAcquireAsync(Kind, Key, _nodeB, Ttl, Ct);

        Assert.NotNull(stolen);
        Assert.Equal(first.Token + 1, stolen.Token);
        Assert.Equal(_nodeB, stolen.OwnerNode);
        Assert.True(stolen.AcquiredAt > first.ExpiresAt);
        Assert.Null(await _store.TryRenewAsync(Kind, Key, _nodeA, first.Token, Ttl, Ct));
        Assert.NotNull(await _store.TryRenewAsync(Kind, Key, _nodeB, stolen.Token, Ttl, Ct));
    }

    [Fact]
    public async Task Release_frees_the_lease_at_once_and_keeps_its_row_and_token()
    {
        var grant = (await _store.TryAcquireAsync(Kind, Key, _nodeA, Ttl, Ct))!;

        Assert.False(await _store.ReleaseAsync(Kind, Key, _nodeB, grant.Token, Ct));
        Assert.False(await _store.ReleaseAsync(Kind, Key, _nodeA, grant.Token + 1, Ct));
        Assert.True(await _store.ReleaseAsync(Kind, Key, _nodeA, grant.Token, Ct));
        Assert.False(await _store.ReleaseAsync(Kind, Key, _nodeA, grant.Token, Ct));

        var stored = (await _store.GetAsync(Kind, Key, Ct))!;
        Assert.Null(stored.OwnerNode);
        Assert.NotNull(stored.ReleasedAt);
        Assert.Equal(grant.Token, stored.Token);
        Assert.Null(await _store.TryRenewAsync(Kind, Key, _nodeA, grant.Token, Ttl, Ct));
        Assert.Equal(grant.Token + 1, (await _store.TryAcquireAsync(Kind, Key, _nodeB, Ttl, Ct))?.Token);
    }

    [Fact]
    public async Task Every_acquisition_gets_a_token_higher_than_any_before_even_after_release()
    {
        var tokens = new List<long>();
        foreach (var node in new[] { _nodeA, _nodeB, _nodeA, _nodeA })
        {
            var grant = (await _store.TryAcquireAsync(Kind, Key, node, Ttl, Ct))!;
            tokens.Add(grant.Token);
            Assert.True(await _store.ReleaseAsync(Kind, Key, node, grant.Token, Ct));
        }

        var afterExpiry = (await _store.TryAcquireAsync(Kind, Key, _nodeB, ShortTtl, Ct))!;
        tokens.Add(afterExpiry.Token);
        await WaitUntilExpiredAsync();
        tokens.Add((await _store.TryAcquireAsync(Kind, Key, _nodeA, Ttl, Ct))!.Token);

        Assert.Equal([1L, 2L, 3L, 4L, 5L, 6L], tokens);
        Assert.Equal(1L, await ScalarAsync<long>("select count(*) from leases"));
    }

    [Fact]
    public async Task Ten_nodes_racing_for_a_free_lease_exactly_one_wins()
    {
        for (var round = 0; round < 5; round++)
        {
            var key = $"race-{round}";

            var grants = await RaceAsync(key, Ttl);

            var winner = Assert.Single(grants.OfType<LeaseGrant>());
            Assert.Equal(1, winner.Token);
            Assert.Equal(winner.OwnerNode, (await _store.GetAsync(Kind, key, Ct))!.OwnerNode);
        }
    }

    [Fact]
    public async Task Ten_nodes_racing_for_an_expired_lease_exactly_one_steals_it()
    {
        await _store.TryAcquireAsync(Kind, Key, _nodeA, ShortTtl, Ct);
        await WaitUntilExpiredAsync();

        var grants = await RaceAsync(Key, Ttl);

        var winner = Assert.Single(grants.OfType<LeaseGrant>());
        Assert.Equal(2, winner.Token);
        Assert.Equal(winner.OwnerNode, (await _store.GetAsync(Kind, Key, Ct))!.OwnerNode);
    }

    /// <summary>Ten nodes, each on a connection of its own, released at the same moment.</summary>
    private async Task<LeaseGrant?[]> RaceAsync(string key, TimeSpan ttl)
    {
        var start = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var racers = Enumerable.Range(0, 10)
            .Select(_ => Guid.CreateVersion7())
            .Select(node => Task.Run(async () =>
            {
                await start.Task;
                return await _store.TryAcquireAsync(Kind, key, node, ttl, Ct);
            }, Ct))
            .ToArray();
        start.SetResult();
        return await Task.WhenAll(racers);
    }

    /// <summary>Expiry is the database's call: ask it, not the test's clock.</summary>
    private Task WaitUntilExpiredAsync() =>
        Poll.UntilAsync(
            async () => await ScalarAsync<bool>("select now() > expires_at from leases where kind = @Kind and key = @Key", new { Kind, Key }),
            TimeSpan.FromSeconds(10), "the database clock passes the lease's expiry");
}
