using Faultline.Sdk.Validation;

namespace Faultline.Sdk.Metrics;

/// <summary>
/// A source of measurements for steady-state probes and guardrails, keyed by <see cref="Name"/>
/// (<c>prometheus</c>, <c>datadog</c>). A provider that cannot answer throws <see cref="MetricProviderException"/>;
/// the probe's policy decides what an unreachable provider means (by default: abort).
/// </summary>
public interface IMetricProvider
{
    string Name { get; }

    MetricProviderDescriptor Descriptor { get; }

    ValueTask<ValidationResult> ValidateAsync(MetricQuery query, CancellationToken cancellationToken);

    ValueTask<InstantResult> QueryInstantAsync(MetricQuery query, DateTimeOffset at, CancellationToken cancellationToken);

    ValueTask<RangeResult> QueryRangeAsync(MetricQuery query, TimeWindow window, CancellationToken cancellationToken);
}
