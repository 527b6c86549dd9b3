namespace Faultline.Storage.Experiments;

public sealed record ExperimentRecord(
    Guid Id,
    Guid OrganizationId,
    Guid? TeamId,
    string Name,
    string SourceFormat,
    string SourceText,
    string Spec,
    DateTime CreatedAt,
    DateTime UpdatedAt,
    int Version);

/// <summary>
/// An experiment about to be stored: its normalized spec as JSON text and the source as submitted, and its
/// schedule (cron text and concurrency policy) when it has one.
/// </summary>
public sealed record ExperimentDocument(
    Guid? TeamId, string Name, string SourceFormat, string SourceText, string Spec, string? ScheduleCron = null, string? ScheduleConcurrency = null);
