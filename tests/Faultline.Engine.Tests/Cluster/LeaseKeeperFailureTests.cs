using System.Diagnostics;
using Faultline.Engine.Cluster;
using Microsoft.Extensions.Logging.Abstractions;

namespace Faultline.Engine.Tests.Cluster;

/// <summary>How the keeper treats a store that fails or hangs, scripted where a real database cannot be made to.</summary>
public sealed class LeaseKeeperFailureTests
{
    private static readonly LeaseKeeperOptions Options = new() { Ttl = TimeSpan.FromMilliseconds(1200) };

    /// <summary>Timers fire on whole milliseconds, so a deadline can pass a hair early by the stopwatch.</summary>
    private static readonly TimeSpan TimerGranularity = TimeSpan.FromMilliseconds(20);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_renewal_that_fails_once_is_retried_and_the_lease_is_kept()
    {
        var provider = new ScriptedLeaseProvider((attempt, _) =>
            attempt == 1 ? Task.FromException<bool>(new TimeoutException("the store did not answer")) : Task.FromResult(true));
        await using var keeper = await AcquireAsync(provider);

        await Poll.UntilAsync(() => Task.FromResult(provider.Renewals >= 5), TimeSpan.FromSeconds(30), "five renewals have been attempted");

        Assert.False(keeper.IsLost);
    }

    [Fact]
    public async Task A_refused_renewal_loses_the_lease_at_once_and_release_still_asks_the_store()
    {
        var provider = new ScriptedLeaseProvider((_, _) => Task.FromResult(false));
        await using var keeper = await AcquireAsync(provider);

        await LeasePoll.UntilLostAsync(keeper, Stopwatch.StartNew(), Options.RenewInterval + TimeSpan.FromSeconds(2), "the refusal is noticed");
        await keeper.ReleaseAsync(Ct);

        Assert.Equal(1, provider.Releases);
    }

    [Fact]
    public async Task A_store_that_hangs_and_ignores_cancellation_still_loses_the_lease_at_the_deadline()
    {
        var never = new TaskCompletionSource<bool>();
        var provider = new ScriptedLeaseProvider((_, _) => never.Task);
        var sinceAcquire = Stopwatch.StartNew();
        await using var keeper = await AcquireAsync(provider);
        try
        {
            var lostAt = await LeasePoll.UntilLostAsync(keeper, sinceAcquire, Options.Ttl + TimeSpan.FromSeconds(3), "the keeper gives up on the hung store");

            Assert.True(lostAt >= Options.Ttl - TimerGranularity, $"gave up after {lostAt.TotalMilliseconds} ms, before its TTL");
            Assert.Equal(1, provider.Renewals); // no second renewal piled up behind the hung one
        }
        finally
        {
            // Should the keeper be stuck on the hung call after all, free it, so the test fails instead of hanging.
            never.TrySetResult(false);
        }
    }

    [Fact]
    public async Task Options_that_would_renew_too_late_are_refused()
    {
        var provider = new ScriptedLeaseProvider((_, _) => Task.FromResult(true));

        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() =>
            LeaseKeeper.TryAcquireAsync(provider, "run", "r1", Guid.CreateVersion7(), new LeaseKeeperOptions { RenewFraction = 1 }, NullLogger.Instance, Ct));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() =>
            LeaseKeeper.TryAcquireAsync(provider, "run", "r1", Guid.CreateVersion7(), new LeaseKeeperOptions { Ttl = TimeSpan.Zero }, NullLogger.Instance, Ct));
    }

    private static async Task<LeaseKeeper> AcquireAsync(ScriptedLeaseProvider provider) =>
        (await LeaseKeeper.TryAcquireAsync(provider, "run", "0196f1a0-run-1", Guid.CreateVersion7(), Options, NullLogger.Instance, Ct))!;
}
