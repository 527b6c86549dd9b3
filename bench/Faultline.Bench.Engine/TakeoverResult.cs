namespace Faultline.Bench.Engine;

/// <summary>Figure 2: kill -9 of a run's owner until the survivor has removed every fault of the run.</summary>
internal sealed record TakeoverResult(
    int Rounds,
    TimeSpan LeaseTtl,
    TimeSpan PollInterval,
    IReadOnlyList<TakeoverSample> Samples,
    IReadOnlyList<string> Anomalies)
{
    public Percentiles Total { get; } = new(Samples.Select(s => s.TotalMs));

    public Percentiles LeaseLeft { get; } = new(Samples.Select(s => s.LeaseLeftMs));

    public Percentiles AfterExpiry { get; } = new(Samples.Select(s => s.AfterExpiryMs));

    public Percentiles Claim { get; } = new(Samples.Select(s => s.ClaimMs));

    public Percentiles Rollback { get; } = new(Samples.Select(s => s.RollbackMs));

    /// <summary>How early the start stamps may be: the stamp query's round trip, over all samples.</summary>
    public Percentiles StampError { get; } = new(Samples.Select(s => s.StampErrorMs));
}
