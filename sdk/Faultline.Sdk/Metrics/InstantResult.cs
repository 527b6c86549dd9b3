namespace Faultline.Sdk.Metrics;

/// <summary>
/// The answer to an instant query. An empty <see cref="Samples"/> list means "no data", which is not zero:
/// a probe must decide explicitly what no data means for it.
/// </summary>
public sealed record InstantResult(IReadOnlyList<MetricSample> Samples)
{
    public bool IsEmpty => Samples.Count == 0;
}
