using Faultline.Engine.Runs;

namespace Faultline.Engine.Tests.Runs;

public sealed class TargetActorsTests
{
    [Fact]
    public async Task Commands_on_one_target_run_one_at_a_time_and_on_different_targets_side_by_side()
    {
        var actors = new TargetActors();
        var inFlight = new Dictionary<string, int>(StringComparer.Ordinal) { ["a"] = 0, ["b"] = 0 };
        var most = new Dictionary<string, int>(StringComparer.Ordinal) { ["a"] = 0, ["b"] = 0 };
        var bothAtOnce = false;
        var gate = new object();
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        async Task<int> CommandAsync(string target)
        {
            lock (gate)
            {
                inFlight[target]++;
                most[target] = Math.Max(most[target], inFlight[target]);
                bothAtOnce |= inFlight["a"] > 0 && inFlight["b"] > 0;
            }

            // Every command stays in flight for a while, so unserialized commands on one target would overlap; the
            // first ones also wait until both targets are busy at once (or the test gives up).
            await Task.Delay(TimeSpan.FromMilliseconds(5), TestContext.Current.CancellationToken);
            await Task.WhenAny(release.Task, Task.Delay(TimeSpan.FromSeconds(5), TestContext.Current.CancellationToken));
            lock (gate)
            {
                if (bothAtOnce)
                {
                    release.TrySetResult();
                }

                inFlight[target]--;
            }

            return 1;
        }

        var commands = Enumerable.Range(0, 20).Select(i => actors.SendAsync(i % 2 == 0 ? "a" : "b", () =>
        {
            lock (gate)
            {
                if (inFlight["a"] + inFlight["b"] >= 1)
                {
                    release.TrySetResult();
                }
            }

            return CommandAsync(i % 2 == 0 ? "a" : "b");
        }, TestContext.Current.CancellationToken)).ToList();
        var results = await Task.WhenAll(commands);

        Assert.Equal(20, results.Sum());
        Assert.Equal(1, most["a"]);
        Assert.Equal(1, most["b"]);
        Assert.True(bothAtOnce, "commands on two different targets never ran at the same time");
        Assert.Equal(0, actors.ActiveTargets);
    }

    [Fact]
    public async Task A_command_waiting_for_its_target_can_be_cancelled_without_running()
    {
        var actors = new TargetActors();
        var busy = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        var first = actors.SendAsync("t", () => busy.Task, TestContext.Current.CancellationToken);
        using var cancel = new CancellationTokenSource();
        var ran = false;
        var second = actors.SendAsync("t", () =>
        {
            ran = true;
            return Task.FromResult(2);
        }, cancel.Token);

        await cancel.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => second);
        busy.SetResult(1);
        Assert.Equal(1, await first);
        Assert.False(ran);
        Assert.Equal(0, actors.ActiveTargets);
    }
}
