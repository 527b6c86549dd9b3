namespace Faultline.Sdk.Metrics;

/// <summary>The span of a range query and the resolution of its points.</summary>
public sealed record TimeWindow(DateTimeOffset From, DateTimeOffset To, TimeSpan Resolution);
