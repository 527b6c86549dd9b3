using Faultline.Storage.Runs;

namespace Faultline.Storage.Tests.Runs;

/// <summary>
/// An injector may declare injectors it never shares a target with (FaultComposition.ConflictsWith), whatever
/// either claims: the intent is refused in both directions, and only on the same target.
/// </summary>
public sealed class FaultDeclaredConflictTests(PostgresServer postgres) : RunStorageTest(postgres)
{
    private RunJournal _first = null!;
    private RunJournal _second = null!;

    public override async ValueTask InitializeAsync()
    {
        await base.InitializeAsync();
        _first = await LeaseAsync((await CreateRunAsync(Acme, Payments)).Id, NodeA, Ttl);
        _second = await LeaseAsync((await CreateRunAsync(Acme, Search)).Id, NodeB, Ttl);
    }

    [Fact]
    public async Task A_fault_naming_an_open_faults_injector_is_refused_though_their_claims_are_disjoint()
    {
        Assert.Null(await _first.IntendAsync(Intent("fault-1", "web-1", "cpu") with { Injector = "process.pause" }, Ct));

        var conflict = await _second.IntendAsync(Intent("fault-2", "web-1", "disk") with { Injector = "process.kill", ConflictsWith = ["process.pause"] }, Ct);

        Assert.Equal("fault-1", conflict?.Id);
        Assert.Equal(0L, await FaultCountAsync(_second.RunId));
    }

    [Fact]
    public async Task A_fault_named_by_an_open_faults_declared_conflicts_is_refused_too()
    {
        Assert.Null(await _first.IntendAsync(Intent("fault-1", "web-1", "cpu") with { Injector = "process.kill", ConflictsWith = ["process.pause"] }, Ct));

        var conflict = await _second.IntendAsync(Intent("fault-2", "web-1", "disk") with { Injector = "process.pause" }, Ct);

        Assert.Equal("fault-1", conflict?.Id);
        Assert.Equal(0L, await FaultCountAsync(_second.RunId));
    }

    [Fact]
    public async Task A_declared_conflict_is_about_one_target_and_other_injectors_compose()
    {
        Assert.Null(await _first.IntendAsync(Intent("fault-1", "web-1", "cpu") with { Injector = "process.kill", ConflictsWith = ["process.pause"] }, Ct));

        Assert.Null(await _second.IntendAsync(Intent("fault-2", "web-2", "disk") with { Injector = "process.pause" }, Ct));
        Assert.Null(await _second.IntendAsync(Intent("fault-3", "web-1", "disk") with { Injector = "network.delay" }, Ct));

        Assert.Equal(2L, await FaultCountAsync(_second.RunId));
    }
}
