namespace Faultline.Sdk.Metrics;

public sealed record MetricPoint(DateTimeOffset Timestamp, double Value);

/// <summary>One series of a range query.</summary>
public sealed record MetricSeries(IReadOnlyDictionary<string, string> Labels, IReadOnlyList<MetricPoint> Points);
