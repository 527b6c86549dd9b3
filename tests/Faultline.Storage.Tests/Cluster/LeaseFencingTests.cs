using Dapper;
using Faultline.Storage.Cluster;

namespace Faultline.Storage.Tests.Cluster;

/// <summary>
/// A node that lost its lease (paused, partitioned, too slow) cannot write state any more: every write
/// carries <see cref="LeaseStore.FencingPredicate"/>, shown here on a table of the test's own.
/// </summary>
public sealed class LeaseFencingTests(PostgresServer postgres) : StorageTest(postgres)
{
    private const string Kind = "run";
    private const string Key = "0196f1a0-run-1";
    private const string FencedUpdate = $"update actor_state set value = @value where id = 1 and {LeaseStore.FencingPredicate}";
    private const string FencedInsert = $"insert into actor_state (id, value) select @id, @value where {LeaseStore.FencingPredicate}";
    private static readonly TimeSpan Ttl = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan ShortTtl = TimeSpan.FromMilliseconds(300);

    private readonly Guid _nodeA = Guid.CreateVersion7();
    private readonly Guid _nodeB = Guid.CreateVersion7();
    private LeaseStore _store = null!;

    public override async ValueTask InitializeAsync()
    {
        await base.InitializeAsync();
        _store = new LeaseStore(DataSource);
        await ExecuteAsync("create table actor_state (id integer primary key, value text not null); insert into actor_state values (1, 'initial')");
    }

    [Fact]
    public async Task The_holder_of_the_current_lease_passes_the_fence()
    {
        var grant = (await _store.TryAcquireAsync(Kind, Key, _nodeA, Ttl, Ct))!;

        Assert.True(await IsCurrentAsync(grant.Fence));
        Assert.Equal(1, await WriteAsync(grant.Fence, "written by A"));
        Assert.Equal(1, await ExecuteAsync(FencedInsert, grant.Fence.WithParameters(new { id = 2, value = "inserted by A" })));
        Assert.Equal(["written by A", "inserted by A"], await QueryAsync<string>("select value from actor_state order by id"));
    }

    [Fact]
    public async Task After_a_steal_the_old_holder_is_fenced_out_and_the_new_one_writes()
    {
        var first = (await _store.TryAcquireAsync(Kind, Key, _nodeA, ShortTtl, Ct))!;
        await WaitUntilExpiredAsync();
        var stolen = (await _store.TryAcquireAsync(Kind, Key, _nodeB, Ttl, Ct))!;

        Assert.False(await IsCurrentAsync(first.Fence));
        Assert.Equal(0, await WriteAsync(first.Fence, "late write by A"));
        Assert.Equal(0, await ExecuteAsync(FencedInsert, first.Fence.WithParameters(new { id = 2, value = "late insert by A" })));
        Assert.True(await IsCurrentAsync(stolen.Fence));
        Assert.Equal(1, await WriteAsync(stolen.Fence, "written by B"));
        Assert.Equal(["written by B"], await QueryAsync<string>("select value from actor_state order by id"));
    }

    [Fact]
    public async Task An_expired_lease_fences_out_its_holder_before_anyone_steals_it()
    {
        var grant = (await _store.TryAcquireAsync(Kind, Key, _nodeA, ShortTtl, Ct))!;
        await WaitUntilExpiredAsync();

        Assert.False(await IsCurrentAsync(grant.Fence));
        Assert.Equal(0, await WriteAsync(grant.Fence, "write after expiry"));
        Assert.Equal("initial", await ScalarAsync<string>("select value from actor_state where id = 1"));
    }

    [Fact]
    public async Task A_released_lease_fences_out_its_holder()
    {
        var grant = (await _store.TryAcquireAsync(Kind, Key, _nodeA, Ttl, Ct))!;
        await _store.ReleaseAsync(Kind, Key, _nodeA, grant.Token, Ct);

        Assert.False(await IsCurrentAsync(grant.Fence));
        Assert.Equal(0, await WriteAsync(grant.Fence, "write after release"));
    }

    [Fact]
    public async Task A_fence_naming_another_node_or_kind_does_not_pass()
    {
        var grant = (await _store.TryAcquireAsync(Kind, Key, _nodeA, Ttl, Ct))!;

        Assert.False(await IsCurrentAsync(grant.Fence with { OwnerNode = _nodeB }));
        Assert.False(await IsCurrentAsync(grant.Fence with { Kind = "target" }));
        Assert.False(await IsCurrentAsync(grant.Fence with { Token = grant.Token + 1 }));
        Assert.True(await IsCurrentAsync(grant.Fence));
    }

    [Fact]
    public async Task A_steal_waits_for_a_fenced_write_in_flight_instead_of_overtaking_it()
    {
        var first = (await _store.TryAcquireAsync(Kind, Key, _nodeA, ShortTtl, Ct))!;
        await using var writer = await DataSource.OpenConnectionAsync(Ct);
        await using var transaction = await writer.BeginTransactionAsync(Ct);
        Assert.True(await LeaseStore.IsCurrentAsync(writer, transaction, first.Fence, Ct));
        await WaitUntilExpiredAsync();

        var steal = Task.Run(() => _store.TryAcquireAsync(Kind, Key, _nodeB, Ttl, Ct), Ct);
        await Poll.UntilAsync(
            async () => await ScalarAsync<long>(
                "select count(*) from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock'") == 1,
            TimeSpan.FromSeconds(10), "the steal waits on the writer's share lock");
        Assert.False(steal.IsCompleted);
        Assert.Equal(1, await writer.ExecuteAsync(new CommandDefinition(
            FencedUpdate, first.Fence.WithParameters(new { value = "written by A under token 1" }), transaction, cancellationToken: Ct)));
        await transaction.CommitAsync(Ct);

        var stolen = await steal;

        Assert.Equal(first.Token + 1, stolen?.Token);
        Assert.Equal("written by A under token 1", await ScalarAsync<string>("select value from actor_state where id = 1"));
        Assert.Equal(0, await WriteAsync(first.Fence, "written by A after the steal"));
    }

    private async Task<bool> IsCurrentAsync(LeaseFence fence)
    {
        await using var connection = await DataSource.OpenConnectionAsync(Ct);
        await using var transaction = await connection.BeginTransactionAsync(Ct);
        return await LeaseStore.IsCurrentAsync(connection, transaction, fence, Ct);
    }

    private Task<int> WriteAsync(LeaseFence fence, string value) => ExecuteAsync(FencedUpdate, fence.WithParameters(new { value }));

    private Task WaitUntilExpiredAsync() =>
        Poll.UntilAsync(
            async () => await ScalarAsync<bool>("select now() > expires_at from leases where kind = @Kind and key = @Key", new { Kind, Key }),
            TimeSpan.FromSeconds(10), "the database clock passes the lease's expiry");
}
