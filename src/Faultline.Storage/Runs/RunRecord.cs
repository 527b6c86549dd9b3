namespace Faultline.Storage.Runs;

/// <summary>A run as stored: the spec it was started with, where it is, and how it ended.</summary>
public sealed record RunRecord(
    Guid Id,
    Guid OrganizationId,
    Guid? TeamId,
    string? TeamName,
    Guid? ExperimentId,
    string ExperimentName,
    string Spec,
    string Trigger,
    string RequestedBy,
    bool ApprovalRequired,
    string? ApprovedBy,
    string State,
    string? Verdict,
    string? VerdictReason,
    string? AbortCause,
    DateTime? AbortRequestedAt,
    string? AbortRequestCause,
    string? AbortReason,
    Guid? OwnerNode,
    int Activations,
    string? Evidence,
    DateTime CreatedAt,
    DateTime? StartedAt,
    DateTime? FinishedAt)
{
    public const string Columns =
        "id, organization_id as OrganizationId, team_id as TeamId, team_name as TeamName, experiment_id as ExperimentId, "
        + "experiment_name as ExperimentName, spec::text as Spec, trigger, requested_by as RequestedBy, approval_required as ApprovalRequired, "
        + "approved_by as ApprovedBy, state, verdict, verdict_reason as VerdictReason, abort_cause as AbortCause, "
        + "abort_requested_at as AbortRequestedAt, abort_request_cause as AbortRequestCause, abort_reason as AbortReason, "
        + "owner_node as OwnerNode, activations, evidence::text as Evidence, created_at as CreatedAt, started_at as StartedAt, finished_at as FinishedAt";

    public bool IsFinished => Verdict is not null;
}

/// <summary>A run about to be created.</summary>
public sealed record NewRun(
    Guid OrganizationId,
    Guid? TeamId,
    string? TeamName,
    Guid? ExperimentId,
    string ExperimentName,
    string Spec,
    string Trigger,
    string RequestedBy,
    Guid? RequestedKeyId,
    bool ApprovalRequired);

/// <summary>One timeline entry; <see cref="Id"/> is the Server-Sent Events id.</summary>
public sealed record RunEventRecord(long Id, Guid RunId, DateTime At, string Type, string Message, string Data);

/// <summary>A fault row: one fault action on one target, from intent to proven removal.</summary>
public sealed record FaultRecord(
    string Id,
    Guid RunId,
    string StepPath,
    string Injector,
    string TargetKind,
    string TargetId,
    string Target,
    string Parameters,
    string Claims,
    string State,
    string? Handle,
    DateTime ExpiresAt,
    DateTime CreatedAt,
    DateTime? InjectedAt,
    string? VerifiedEvidence,
    DateTime? RemovedAt,
    string? RemovalEvidence,
    string? Error)
{
    public const string Columns =
        "id, run_id as RunId, step_path as StepPath, injector, target_kind as TargetKind, target_id as TargetId, target::text as Target, "
        + "parameters::text as Parameters, array_to_string(claims, E'\\n') as Claims, state, handle::text as Handle, expires_at as ExpiresAt, created_at as CreatedAt, "
        + "injected_at as InjectedAt, verified_evidence as VerifiedEvidence, removed_at as RemovedAt, removal_evidence as RemovalEvidence, error";

    public bool IsOpen => State != FaultStates.Removed;

    /// <summary>The claims of the fault (stored as an array, read as lines: Dapper cannot bind arrays to record constructors).</summary>
    public IReadOnlyList<string> ClaimList => Claims.Split('\n', StringSplitOptions.RemoveEmptyEntries);
}

/// <summary>The states of a fault row.</summary>
public static class FaultStates
{
    public const string Intended = "intended";
    public const string Active = "active";
    public const string Removing = "removing";
    public const string Removed = "removed";
    public const string Failed = "failed";
}

/// <summary>
/// A fault about to be intended: everything a later owner needs to find and remove it, the resources it claims
/// on its target, and the injectors it never shares a target with.
/// </summary>
public sealed record FaultIntent(
    string Id,
    string StepPath,
    string Injector,
    string TargetKind,
    string TargetId,
    string Target,
    string Parameters,
    IReadOnlyList<string> Claims,
    TimeSpan Ttl,
    IReadOnlyList<string>? ConflictsWith = null);

/// <summary>
/// A run claimed by a node, with the lease that fences its writes. <see cref="PreviousOwner"/> is the node that
/// drove it before, when this is a takeover.
/// </summary>
public sealed record ClaimedRun(RunRecord Run, Cluster.LeaseGrant Lease, Guid? PreviousOwner)
{
    /// <summary>Someone activated this run before: its faults may exist, and the run is reconciled, not started.</summary>
    public bool IsTakeover => Run.Activations > 1;
}
