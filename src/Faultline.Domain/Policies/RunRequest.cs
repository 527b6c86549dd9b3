namespace Faultline.Domain.Policies;

/// <summary>
/// Who asked for a run and who approved it. <see cref="ApproverHasRole"/> is resolved by the caller from the
/// tenancy model, which keeps this check free of any lookup.
/// </summary>
public sealed record RunRequest(string RequestedBy, string? ApprovedBy = null, bool ApproverHasRole = false);
