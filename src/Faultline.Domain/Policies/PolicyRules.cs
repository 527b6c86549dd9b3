namespace Faultline.Domain.Policies;

/// <summary>
/// The rule names a refusal names. They are part of the API (clients and audit logs match on them), so they
/// never change once published.
/// </summary>
public static class PolicyRules
{
    public const string AllowedNamespaces = "allowed-namespaces";
    public const string AllowedKinds = "allowed-kinds";
    public const string RequiredLabels = "required-labels";
    public const string ProtectedTarget = "protected-target";
    public const string MaxDuration = "max-duration";
    public const string MaxServiceShare = "max-service-share";
    public const string MaxConcurrentRuns = "max-concurrent-runs";
    public const string ApprovalRequired = "approval-required";
    public const string SelfApproval = "self-approval";
}
