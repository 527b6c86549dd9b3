using System.Diagnostics;

namespace Faultline.Bench.Engine;

/// <summary>
/// Waits for a condition by asking again and again until a deadline. Every figure is read from timestamps the
/// engine wrote, so the poll interval only decides how soon the benchmark moves on, never what it measures.
/// </summary>
internal static class Poll
{
    /// <summary>Short enough to move on promptly, long enough that polling costs the database next to nothing.</summary>
    public static readonly TimeSpan DefaultInterval = TimeSpan.FromMilliseconds(20);

    public static async Task UntilAsync(Func<Task<bool>> condition, TimeSpan timeout, Func<string> what, CancellationToken cancellationToken, TimeSpan? interval = null)
    {
        var clock = Stopwatch.StartNew();
        while (!await condition())
        {
            if (clock.Elapsed > timeout)
            {
                throw new TimeoutException($"Gave up after {timeout.TotalSeconds:0} s waiting until {what()}.");
            }

            await Task.Delay(interval ?? DefaultInterval, cancellationToken);
        }
    }
}
