namespace Faultline.Domain.Tenancy;

/// <summary>
/// The authenticated party behind a request: one API key of one organization, optionally bound to a team.
/// Every query the API makes is scoped by <see cref="OrganizationId"/>.
/// </summary>
public sealed record Caller(Guid OrganizationId, Guid KeyId, string KeyName, Role Role, Guid? TeamId, bool IsOperatorOrganization, bool IsApprover = false)
{
    /// <summary>A key bound to no team acts for the whole organization.</summary>
    public bool IsOrganizationWide => TeamId is null;

    public bool HasAtLeast(Role role) => Role >= role;

    /// <summary>Team-bound keys see and act on their own team only.</summary>
    public bool CanSeeTeam(Guid teamId) => TeamId is null || TeamId == teamId;

    public bool CanManageTeams => IsOrganizationWide && HasAtLeast(Role.Admin);

    public bool CanManageMembersOf(Guid teamId) => HasAtLeast(Role.Admin) && CanSeeTeam(teamId);

    public bool CanReadAudit => IsOrganizationWide && HasAtLeast(Role.Admin);

    public bool CanManageOrganization => IsOrganizationWide && HasAtLeast(Role.Owner);

    /// <summary>Owners of the operator organization (the one created at first start) may create tenants.</summary>
    public bool CanCreateOrganizations => IsOperatorOrganization && CanManageOrganization;

    /// <summary>
    /// A key may only issue keys that are no stronger and no wider than itself, so a leaked team key
    /// cannot be turned into an organization key.
    /// </summary>
    public bool CanIssueKey(Role role, Guid? teamId)
    {
        if (!HasAtLeast(Role.Admin) || role > Role)
        {
            return false;
        }

        if (role == Role.Owner && teamId is not null)
        {
            return false;
        }

        return IsOrganizationWide || teamId == TeamId;
    }

    public bool CanRevokeKey(Role role, Guid? teamId) => CanIssueKey(role, teamId);
}
