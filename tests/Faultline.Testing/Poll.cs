using System.Diagnostics;
using Xunit;

namespace Faultline.Testing;

/// <summary>Waits for a condition by asking again and again until a deadline: never a bare sleep standing in for synchronisation.</summary>
public static class Poll
{
    public static async Task UntilAsync(Func<Task<bool>> condition, TimeSpan timeout, string what)
    {
        var clock = Stopwatch.StartNew();
        while (!await condition())
        {
            if (clock.Elapsed > timeout)
            {
                Assert.Fail($"Gave up after {timeout.TotalSeconds} s waiting until {what}.");
            }

            await Task.Delay(TimeSpan.FromMilliseconds(20), TestContext.Current.CancellationToken);
        }
    }
}
