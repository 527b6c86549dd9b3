using System.Text.Json;
using Faultline.Storage.Runs;

namespace Faultline.Api.Features.Runs;

/// <summary>A run: where it is, how it ended and why, and per target what was injected and the proof it was removed.</summary>
public sealed record RunResponse(
    Guid Id,
    Guid? ExperimentId,
    string ExperimentName,
    Guid? TeamId,
    string? Team,
    string Trigger,
    string RequestedBy,
    bool ApprovalRequired,
    string? ApprovedBy,
    string State,
    string? Verdict,
    string? VerdictReason,
    string? AbortCause,
    DateTimeOffset? AbortRequestedAt,
    string? AbortReason,
    Guid? OwnerNode,
    int Activations,
    DateTimeOffset CreatedAt,
    DateTimeOffset? StartedAt,
    DateTimeOffset? FinishedAt,
    JsonElement? Evidence,
    IReadOnlyList<RunFaultResponse>? Faults)
{
    public static RunResponse From(RunRecord run, IReadOnlyList<FaultRecord>? faults = null) => new(
        run.Id,
        run.ExperimentId,
        run.ExperimentName,
        run.TeamId,
        run.TeamName,
        run.Trigger,
        run.RequestedBy,
        run.ApprovalRequired,
        run.ApprovedBy,
        run.State,
        run.Verdict,
        run.VerdictReason,
        run.AbortCause,
        run.AbortRequestedAt,
        run.AbortReason,
        run.OwnerNode,
        run.Activations,
        run.CreatedAt,
        run.StartedAt,
        run.FinishedAt,
        run.Evidence is { } evidence ? JsonDocument.Parse(evidence).RootElement.Clone() : null,
        faults?.Select(RunFaultResponse.From).ToList());
}

/// <summary>One fault on one target: intent, injection, verification, and the proof of its removal.</summary>
public sealed record RunFaultResponse(
    string Id,
    string StepPath,
    string Injector,
    string Target,
    string State,
    DateTimeOffset CreatedAt,
    DateTimeOffset? InjectedAt,
    string? VerifiedEvidence,
    DateTimeOffset? RemovedAt,
    string? RemovalEvidence,
    string? Error,
    DateTimeOffset ExpiresAt)
{
    public static RunFaultResponse From(FaultRecord fault) => new(
        fault.Id,
        fault.StepPath,
        fault.Injector,
        $"{fault.TargetKind}/{fault.TargetId}",
        fault.State,
        fault.CreatedAt,
        fault.InjectedAt,
        fault.VerifiedEvidence,
        fault.RemovedAt,
        fault.RemovalEvidence,
        fault.Error,
        fault.ExpiresAt);
}

/// <summary>One timeline entry; <see cref="Id"/> is also the Server-Sent Events id (resume with Last-Event-ID).</summary>
public sealed record RunEventResponse(long Id, DateTimeOffset At, string Type, string Message, JsonElement Data)
{
    public static RunEventResponse From(RunEventRecord record) =>
        new(record.Id, record.At, record.Type, record.Message, JsonDocument.Parse(record.Data).RootElement.Clone());
}

/// <summary>Why a run is aborted (send <c>{}</c> for no reason); shown in its verdict and the audit log.</summary>
public sealed record AbortRunRequest(string? Reason = null);

/// <summary>What a run would do now, without injecting anything.</summary>
public sealed record DryRunResponse(
    bool Runnable,
    bool ApprovalRequired,
    HaltSummary? HaltedBy,
    JsonElement Plan,
    IReadOnlyList<ProbeSampleResponse> Probes);

public sealed record HaltSummary(Guid Id, string Scope, string Reason, string CreatedBy);

public sealed record ProbeSampleResponse(string Name, string Phase, double? Value, bool Held, string Detail);
