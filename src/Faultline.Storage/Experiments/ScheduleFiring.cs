namespace Faultline.Storage.Experiments;

/// <summary>What happened to one due firing of a scheduled experiment.</summary>
public sealed record ScheduleFiring(Guid ExperimentId, string ExperimentName, DateTime DueAt, Guid? RunId, string? SkippedBecause, DateTime? NextFireAt);
