namespace Faultline.Storage.Policies;

/// <summary>A halt switch: while unreleased, no run in its scope may run.</summary>
public sealed record HaltRecord(
    Guid Id,
    string Scope,
    Guid? OrganizationId,
    Guid? TeamId,
    string Reason,
    string CreatedBy,
    DateTime CreatedAt,
    DateTime? ReleasedAt,
    string? ReleasedBy)
{
    public const string Columns =
        "id, scope, organization_id as OrganizationId, team_id as TeamId, reason, created_by as CreatedBy, created_at as CreatedAt, "
        + "released_at as ReleasedAt, released_by as ReleasedBy";

    public bool IsActive => ReleasedAt is null;

    public string Describe() => Scope switch
    {
        HaltScopes.Global => $"a global halt ({Reason})",
        HaltScopes.Organization => $"an organization halt ({Reason})",
        _ => $"a team halt ({Reason})",
    };
}

public static class HaltScopes
{
    public const string Global = "global";
    public const string Organization = "organization";
    public const string Team = "team";

    public static bool IsKnown(string? scope) => scope is Global or Organization or Team;
}
