using Faultline.Api.Problems;
using Faultline.Storage.Common;

namespace Faultline.Api.Http;

public static class OutcomeResults
{
    /// <summary>Unwraps a store outcome or throws the matching problem.</summary>
    public static T Unwrap<T>(this Outcome<T> outcome, string what, string? conflict = null) => outcome.Status switch
    {
        OutcomeStatus.Done => outcome.Value!,
        OutcomeStatus.NotFound => throw ProblemException.NotFound(what),
        OutcomeStatus.VersionMismatch => throw ETags.Stale(),
        OutcomeStatus.Conflict => throw ProblemException.Conflict(conflict ?? $"{what} conflicts with an existing one."),
        _ => throw new InvalidOperationException($"Unknown outcome {outcome.Status}."),
    };
}
