namespace Faultline.Plugins.Http.Tests;

/// <summary>
/// Timers (Task.Delay, CancelAfter) run on a coarser clock than Stopwatch and may fire a millisecond or so before
/// Stopwatch says the time is up. A lower bound on a measured delay allows this much, and no more.
/// </summary>
internal static class TimerSlack
{
    public const double Milliseconds = 20;
}
