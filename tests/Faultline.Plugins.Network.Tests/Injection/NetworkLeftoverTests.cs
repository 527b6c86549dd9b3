using Faultline.Plugins.Network.Actions;
using Faultline.Sdk.Injection;

namespace Faultline.Plugins.Network.Tests.Injection;

/// <summary>
/// Faults outlive the process that applied them only until someone looks: a fresh process finds them by the
/// journal or by Faultline's own marks (table comment, rule comment) and removes exactly them.
/// </summary>
public sealed class NetworkLeftoverTests
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_fresh_process_finds_and_removes_a_crashed_processes_faults_even_without_its_journal()
    {
        await using var f = await NetworkFaultFixture.CreateAsync();
        var loss = f.Injector(NetworkAction.Loss);
        var partition = f.Injector(NetworkAction.Partition);
        var lossHandle = await loss.InjectAsync(f.Request("""{ "percent": 50 }"""), Token);
        var partitionHandle = await partition.InjectAsync(f.Request("""{ "externalTargets": ["10.99.0.0/16"] }"""), Token);

        // The crash: the handles are lost and so is the journal.
        Directory.Delete(f.StateDirectory, recursive: true);
        await using var fresh = NetworkFaultFixture.NewFaults(f.StateDirectory);
        var leftovers = await f.Injector(NetworkAction.Loss, fresh).ListLeftoversAsync(f.Target, Token);

        Assert.Equal(new[] { lossHandle.FaultId, partitionHandle.FaultId }.Order(StringComparer.Ordinal), leftovers.Select(h => h.FaultId).Order(StringComparer.Ordinal));
        foreach (var leftover in leftovers)
        {
            Assert.Equal(RollbackStatus.Removed, (await f.Injector(NetworkAction.Loss, fresh).RollbackAsync(leftover, Token)).Status);
        }

        Assert.Empty(await f.Injector(NetworkAction.Loss, fresh).ListLeftoversAsync(f.Target, Token));
        var residue = await f.Lab.InspectAAsync(Token);
        Assert.False(residue.HasTrace, residue.ToString());
        Assert.Equal(0, (await f.Lab.PingAsync(20, TimeSpan.FromMilliseconds(10), Token)).Lost);
    }

    [Fact]
    public async Task A_delay_left_by_a_dead_process_lets_packets_through_and_is_removed_by_its_comment()
    {
        await using var f = await NetworkFaultFixture.CreateAsync();
        var crashed = NetworkFaultFixture.NewFaults(f.StateDirectory);
        var handle = await f.Injector(NetworkAction.Delay, crashed).InjectAsync(f.Request("""{ "latency": "300ms" }"""), Token);

        // The delayer dies with its process; the rule stays, but the queue is bypassed: delay gone, no outage.
        await crashed.NfQueue.DisposeAsync();
        var orphaned = await f.Lab.PingAsync(20, TimeSpan.FromMilliseconds(20), Token);
        await using var fresh = NetworkFaultFixture.NewFaults(f.StateDirectory);
        var delay = f.Injector(NetworkAction.Delay, fresh);
        var verified = await delay.VerifyAsync(FaultHandle.FromJson(handle.ToJson()), Token);
        var leftover = Assert.Single(await delay.ListLeftoversAsync(f.Target, Token));
        var removed = await delay.RollbackAsync(leftover, Token);

        Assert.Equal(0, orphaned.Lost);
        Assert.True(orphaned.Rtt.Median < TimeSpan.FromMilliseconds(5), $"{orphaned}");
        Assert.False(verified.InEffect, verified.Evidence);
        Assert.Equal(handle.FaultId, leftover.FaultId);
        Assert.Equal(RollbackStatus.Removed, removed.Status);
        var residue = await f.Lab.InspectAAsync(Token);
        Assert.False(residue.HasTrace, residue.ToString());
    }

    [Fact]
    public async Task Unknown_namespaces_and_interfaces_and_what_this_host_cannot_do_are_refused_before_injection()
    {
        await using var f = await NetworkFaultFixture.CreateAsync();
        var loss = f.Injector(NetworkAction.Loss);

        var noNamespace = await loss.ValidateAsync(f.Request("""{ "percent": 5 }""") with { Target = Sdk.Targets.Target.Of("network-interface", "no-such-ns/eth0") }, Token);
        var noInterface = await loss.ValidateAsync(f.Request("""{ "percent": 5, "interface": "nope0" }"""), Token);
        var correlated = await loss.ValidateAsync(f.Request("""{ "percent": 5, "correlation": 25 }"""), Token);
        var reorder = await f.Injector(NetworkAction.Reorder).ValidateAsync(f.Request("""{ "percent": 5 }"""), Token);

        Assert.Contains(noNamespace.Errors, e => e.Path == "target" && e.Message.Contains("no-such-ns", StringComparison.Ordinal));
        Assert.Contains(noInterface.Errors, e => e.Path == "$.interface" && e.Message.Contains("nope0", StringComparison.Ordinal));
        Assert.Contains(correlated.Errors, e => e.Path == "$.correlation");
        Assert.Contains(reorder.Errors, e => e.Path == "$.percent" && e.Message.Contains("netem", StringComparison.Ordinal));
        await Assert.ThrowsAsync<ArgumentException>(async () => await loss.InjectAsync(f.Request("""{ "percent": 5, "interface": "nope0" }"""), Token));
        var residue = await f.Lab.InspectAAsync(Token);
        Assert.False(residue.HasTrace, residue.ToString());
    }

    [Fact]
    public async Task Faults_of_different_kinds_on_one_interface_compose_and_two_root_qdisc_faults_claim_the_same_resource()
    {
        await using var f = await NetworkFaultFixture.CreateAsync();
        var loss = f.Injector(NetworkAction.Loss);
        var partition = f.Injector(NetworkAction.Partition);
        var bandwidth = f.Injector(NetworkAction.Bandwidth);
        var lossRequest = f.Request("""{ "percent": 30 }""");
        var partitionRequest = f.Request($$"""{ "externalTargets": ["{{f.Lab.AddressB}}"], "ports": [{{Lab.LabServer.EchoPort}}] }""");
        var bandwidthA = f.Request("""{ "rate": "1mbps", "limit": 20000, "burst": 10000 }""");
        var bandwidthB = f.Request("""{ "rate": "2mbps", "limit": 20000, "burst": 10000 }""");

        Assert.Empty(loss.Claims(lossRequest).Intersect(partition.Claims(partitionRequest)));
        Assert.NotEmpty(bandwidth.Claims(bandwidthA).Intersect(bandwidth.Claims(bandwidthB)));

        var lossHandle = await loss.InjectAsync(lossRequest, Token);
        var partitionHandle = await partition.InjectAsync(partitionRequest, Token);
        var blocked = await f.Lab.TcpConnectAsync(2, TimeSpan.FromMilliseconds(400), Token);
        var lossy = await f.Lab.PingAsync(200, TimeSpan.FromMilliseconds(10), Token);
        await loss.RollbackAsync(lossHandle, Token);
        var stillBlocked = await f.Lab.TcpConnectAsync(2, TimeSpan.FromMilliseconds(400), Token);
        await partition.RollbackAsync(partitionHandle, Token);

        Assert.True(blocked.AllBlocked, $"{blocked}");
        Assert.InRange(lossy.LossRatio, 0.15, 0.45);
        Assert.True(stillBlocked.AllBlocked, $"removing the loss must leave the partition: {stillBlocked}");
        Assert.True((await f.Lab.TcpConnectAsync(2, TimeSpan.FromSeconds(2), Token)).AllSucceeded);
        var residue = await f.Lab.InspectAAsync(Token);
        Assert.False(residue.HasTrace, residue.ToString());
    }
}
