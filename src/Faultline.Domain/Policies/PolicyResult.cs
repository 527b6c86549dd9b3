namespace Faultline.Domain.Policies;

/// <summary>
/// The outcome of a policy check: every violation at once (so a user fixes them in one round trip) and whether
/// the run needs a second person's approval. Needing approval is not a violation: the spec is fine, it just
/// cannot start alone.
/// </summary>
public sealed record PolicyResult(IReadOnlyList<PolicyViolation> Violations, bool ApprovalRequired)
{
    public bool IsAllowed => Violations.Count == 0;
}
