namespace Faultline.Bench.Engine;

/// <summary>
/// Figure 3: a burst of runs on one node against the same run alone. Wall times are on PostgreSQL's clock, from
/// the first run's creation to the last one's close; round trips are the dispatcher's own count
/// (<c>RunDispatcher.Completed</c>), which covers the writes and reads of the run journal.
/// </summary>
internal sealed record ThroughputResult(
    int Runs,
    TimeSpan FaultDuration,
    int MaxConcurrentRuns,
    IReadOnlyList<TimeSpan> BaselineWalls,
    double BaselineRoundTripsPerEvent,
    TimeSpan BatchWall,
    IReadOnlyList<double> RunWallsMs,
    int PeakObserving,
    long RoundTrips,
    int EngineEvents,
    int StateTransitions,
    IReadOnlyList<string> Anomalies,
    CpuUsage? Cpu)
{
    /// <summary>The median of the single runs timed alone: what one run costs end to end on an idle node.</summary>
    public TimeSpan BaselineWall { get; } = BaselineWalls.Order().ElementAt(BaselineWalls.Count / 2);

    /// <summary>One run at a time, back to back: the node's throughput without any concurrency.</summary>
    public double BaselineRunsPerSecond => 1 / BaselineWall.TotalSeconds;

    public double RunsPerSecond => Runs / BatchWall.TotalSeconds;

    public Percentiles RunWall { get; } = new(RunWallsMs);
}
