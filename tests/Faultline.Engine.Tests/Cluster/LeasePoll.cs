using System.Diagnostics;
using Faultline.Engine.Cluster;

namespace Faultline.Engine.Tests.Cluster;

/// <summary>Waits for a lease keeper to report its lease lost, timing the moment it did.</summary>
internal static class LeasePoll
{
    /// <summary>
    /// Waits until the keeper signals its lease lost and returns the reading of <paramref name="clock"/> at
    /// that very moment (taken inside the cancellation, not when the test wakes up); fails after <paramref name="timeout"/>.
    /// </summary>
    public static async Task<TimeSpan> UntilLostAsync(LeaseKeeper keeper, Stopwatch clock, TimeSpan timeout, string what)
    {
        var lost = new TaskCompletionSource<TimeSpan>(TaskCreationOptions.RunContinuationsAsynchronously);
        await using (keeper.LeaseLost.Register(() => lost.TrySetResult(clock.Elapsed)))
        {
            try
            {
                return await lost.Task.WaitAsync(timeout, TestContext.Current.CancellationToken);
            }
            catch (TimeoutException)
            {
                throw new TimeoutException($"Gave up after {timeout.TotalSeconds} s waiting until {what}.");
            }
        }
    }
}
