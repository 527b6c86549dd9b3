namespace Faultline.Sdk.Metrics;

/// <summary>One value of one series at one instant. NaN is a real value a provider may return, not "no data".</summary>
public sealed record MetricSample(IReadOnlyDictionary<string, string> Labels, DateTimeOffset Timestamp, double Value);
