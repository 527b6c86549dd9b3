using Faultline.Domain.Tenancy;

namespace Faultline.Domain.Tests.Tenancy;

public sealed class CallerTests
{
    private static readonly Guid OwnTeamId = Guid.Parse("0196f1a0-0000-7000-8000-00000000000a");
    private static readonly Guid OtherTeamId = Guid.Parse("0196f1a0-0000-7000-8000-00000000000b");

    /// <summary>Where a key acts: the whole organization, or one team.</summary>
    public enum Scope
    {
        Organization,
        Team,
    }

    /// <summary>What a key is asked to act on or issue: organization-wide, the caller's own team, or another team.</summary>
    public enum Target
    {
        Organization,
        OwnTeam,
        OtherTeam,
    }

    [Theory]
    [InlineData(Role.Viewer, Role.Viewer, true)]
    [InlineData(Role.Viewer, Role.Operator, false)]
    [InlineData(Role.Viewer, Role.Admin, false)]
    [InlineData(Role.Viewer, Role.Owner, false)]
    [InlineData(Role.Operator, Role.Viewer, true)]
    [InlineData(Role.Operator, Role.Operator, true)]
    [InlineData(Role.Operator, Role.Admin, false)]
    [InlineData(Role.Operator, Role.Owner, false)]
    [InlineData(Role.Admin, Role.Viewer, true)]
    [InlineData(Role.Admin, Role.Operator, true)]
    [InlineData(Role.Admin, Role.Admin, true)]
    [InlineData(Role.Admin, Role.Owner, false)]
    [InlineData(Role.Owner, Role.Viewer, true)]
    [InlineData(Role.Owner, Role.Operator, true)]
    [InlineData(Role.Owner, Role.Admin, true)]
    [InlineData(Role.Owner, Role.Owner, true)]
    public void HasAtLeast_follows_viewer_operator_admin_owner_order(Role held, Role required, bool expected) =>
        Assert.Equal(expected, Make(held).HasAtLeast(required));

    [Theory]
    [InlineData(Scope.Organization, true)]
    [InlineData(Scope.Team, false)]
    public void A_key_is_organization_wide_only_when_bound_to_no_team(Scope scope, bool expected) =>
        Assert.Equal(expected, Make(Role.Admin, scope).IsOrganizationWide);

    [Theory]
    [InlineData(Scope.Organization, Target.OwnTeam, true)]
    [InlineData(Scope.Organization, Target.OtherTeam, true)]
    [InlineData(Scope.Team, Target.OwnTeam, true)]
    [InlineData(Scope.Team, Target.OtherTeam, false)]
    public void Team_bound_keys_see_only_their_own_team(Scope scope, Target team, bool expected)
    {
        foreach (var role in Enum.GetValues<Role>())
        {
            Assert.Equal(expected, Make(role, scope).CanSeeTeam(TeamOf(team)!.Value));
        }
    }

    [Theory]
    [InlineData(Role.Viewer, Scope.Organization, Target.OwnTeam, false)]
    [InlineData(Role.Operator, Scope.Organization, Target.OwnTeam, false)]
    [InlineData(Role.Admin, Scope.Organization, Target.OwnTeam, true)]
    [InlineData(Role.Admin, Scope.Organization, Target.OtherTeam, true)]
    [InlineData(Role.Owner, Scope.Organization, Target.OtherTeam, true)]
    [InlineData(Role.Viewer, Scope.Team, Target.OwnTeam, false)]
    [InlineData(Role.Operator, Scope.Team, Target.OwnTeam, false)]
    [InlineData(Role.Admin, Scope.Team, Target.OwnTeam, true)]
    [InlineData(Role.Admin, Scope.Team, Target.OtherTeam, false)]
    public void Members_are_managed_by_admins_of_a_team_they_can_see(Role role, Scope scope, Target team, bool expected) =>
        Assert.Equal(expected, Make(role, scope).CanManageMembersOf(TeamOf(team)!.Value));

    [Theory]
    [InlineData(Role.Viewer, Scope.Organization, false)]
    [InlineData(Role.Operator, Scope.Organization, false)]
    [InlineData(Role.Admin, Scope.Organization, true)]
    [InlineData(Role.Owner, Scope.Organization, true)]
    [InlineData(Role.Viewer, Scope.Team, false)]
    [InlineData(Role.Operator, Scope.Team, false)]
    [InlineData(Role.Admin, Scope.Team, false)]
    [InlineData(Role.Owner, Scope.Team, false)]
    public void Teams_are_managed_only_by_organization_wide_admins_and_owners(Role role, Scope scope, bool expected) =>
        Assert.Equal(expected, Make(role, scope).CanManageTeams);

    [Theory]
    [InlineData(Role.Viewer, Scope.Organization, false)]
    [InlineData(Role.Operator, Scope.Organization, false)]
    [InlineData(Role.Admin, Scope.Organization, true)]
    [InlineData(Role.Owner, Scope.Organization, true)]
    [InlineData(Role.Viewer, Scope.Team, false)]
    [InlineData(Role.Operator, Scope.Team, false)]
    [InlineData(Role.Admin, Scope.Team, false)]
    [InlineData(Role.Owner, Scope.Team, false)]
    public void The_audit_log_is_read_only_by_organization_wide_admins_and_owners(Role role, Scope scope, bool expected) =>
        Assert.Equal(expected, Make(role, scope).CanReadAudit);

    [Theory]
    [InlineData(Role.Viewer, Scope.Organization, false)]
    [InlineData(Role.Operator, Scope.Organization, false)]
    [InlineData(Role.Admin, Scope.Organization, false)]
    [InlineData(Role.Owner, Scope.Organization, true)]
    [InlineData(Role.Admin, Scope.Team, false)]
    [InlineData(Role.Owner, Scope.Team, false)]
    public void The_organization_is_managed_only_by_organization_wide_owners(Role role, Scope scope, bool expected) =>
        Assert.Equal(expected, Make(role, scope).CanManageOrganization);

    [Theory]
    [InlineData(Role.Owner, Scope.Organization, true, true)]
    [InlineData(Role.Owner, Scope.Organization, false, false)]
    [InlineData(Role.Admin, Scope.Organization, true, false)]
    [InlineData(Role.Operator, Scope.Organization, true, false)]
    [InlineData(Role.Viewer, Scope.Organization, true, false)]
    [InlineData(Role.Owner, Scope.Team, true, false)]
    [InlineData(Role.Admin, Scope.Team, true, false)]
    [InlineData(Role.Admin, Scope.Organization, false, false)]
    public void Organizations_are_created_only_by_owners_of_the_operator_organization(Role role, Scope scope, bool isOperatorOrganization, bool expected) =>
        Assert.Equal(expected, Make(role, scope, isOperatorOrganization).CanCreateOrganizations);

    [Theory]
    // Organization-wide owners issue anything except a team-bound owner key.
    [InlineData(Role.Owner, Scope.Organization, Role.Owner, Target.Organization, true)]
    [InlineData(Role.Owner, Scope.Organization, Role.Admin, Target.Organization, true)]
    [InlineData(Role.Owner, Scope.Organization, Role.Viewer, Target.OtherTeam, true)]
    [InlineData(Role.Owner, Scope.Organization, Role.Owner, Target.OwnTeam, false)]
    [InlineData(Role.Owner, Scope.Organization, Role.Owner, Target.OtherTeam, false)]
    // Organization-wide admins: never a stronger role.
    [InlineData(Role.Admin, Scope.Organization, Role.Owner, Target.Organization, false)]
    [InlineData(Role.Admin, Scope.Organization, Role.Admin, Target.Organization, true)]
    [InlineData(Role.Admin, Scope.Organization, Role.Operator, Target.OwnTeam, true)]
    [InlineData(Role.Admin, Scope.Organization, Role.Viewer, Target.OtherTeam, true)]
    // Below admin nobody issues keys, not even weaker ones.
    [InlineData(Role.Operator, Scope.Organization, Role.Viewer, Target.Organization, false)]
    [InlineData(Role.Operator, Scope.Organization, Role.Operator, Target.OwnTeam, false)]
    [InlineData(Role.Viewer, Scope.Organization, Role.Viewer, Target.Organization, false)]
    [InlineData(Role.Operator, Scope.Team, Role.Viewer, Target.OwnTeam, false)]
    [InlineData(Role.Viewer, Scope.Team, Role.Viewer, Target.OwnTeam, false)]
    // Team-bound admins: only their own team, never wider, never stronger.
    [InlineData(Role.Admin, Scope.Team, Role.Admin, Target.OwnTeam, true)]
    [InlineData(Role.Admin, Scope.Team, Role.Viewer, Target.OwnTeam, true)]
    [InlineData(Role.Admin, Scope.Team, Role.Viewer, Target.Organization, false)]
    [InlineData(Role.Admin, Scope.Team, Role.Admin, Target.Organization, false)]
    [InlineData(Role.Admin, Scope.Team, Role.Viewer, Target.OtherTeam, false)]
    [InlineData(Role.Admin, Scope.Team, Role.Owner, Target.OwnTeam, false)]
    [InlineData(Role.Admin, Scope.Team, Role.Owner, Target.Organization, false)]
    // A team-bound owner (which storage never allows) still cannot widen itself or mint a team-bound owner.
    [InlineData(Role.Owner, Scope.Team, Role.Owner, Target.OwnTeam, false)]
    [InlineData(Role.Owner, Scope.Team, Role.Owner, Target.Organization, false)]
    [InlineData(Role.Owner, Scope.Team, Role.Admin, Target.Organization, false)]
    [InlineData(Role.Owner, Scope.Team, Role.Admin, Target.OwnTeam, true)]
    public void Keys_issue_and_revoke_only_keys_no_stronger_and_no_wider_than_themselves(
        Role callerRole, Scope callerScope, Role keyRole, Target keyScope, bool expected)
    {
        var caller = Make(callerRole, callerScope);

        Assert.Equal(expected, caller.CanIssueKey(keyRole, TeamOf(keyScope)));
        Assert.Equal(expected, caller.CanRevokeKey(keyRole, TeamOf(keyScope)));
    }

    [Fact]
    public void No_caller_may_issue_a_team_bound_owner_key()
    {
        foreach (var role in Enum.GetValues<Role>())
        {
            foreach (var scope in Enum.GetValues<Scope>())
            {
                foreach (var isOperator in new[] { false, true })
                {
                    var caller = Make(role, scope, isOperator);
                    Assert.False(caller.CanIssueKey(Role.Owner, OwnTeamId), $"{role} {scope} operator={isOperator} issued a team-bound owner key");
                    Assert.False(caller.CanIssueKey(Role.Owner, OtherTeamId), $"{role} {scope} operator={isOperator} issued a team-bound owner key");
                }
            }
        }
    }

    [Fact]
    public void No_caller_may_issue_a_key_stronger_than_itself()
    {
        foreach (var held in Enum.GetValues<Role>())
        {
            foreach (var requested in Enum.GetValues<Role>().Where(r => r > held))
            {
                foreach (var scope in Enum.GetValues<Scope>())
                {
                    foreach (var target in Enum.GetValues<Target>())
                    {
                        Assert.False(Make(held, scope).CanIssueKey(requested, TeamOf(target)), $"{held} ({scope}) issued {requested} ({target})");
                    }
                }
            }
        }
    }

    private static Caller Make(Role role, Scope scope = Scope.Organization, bool isOperatorOrganization = false) =>
        new(Guid.CreateVersion7(), Guid.CreateVersion7(), "test key", role, scope == Scope.Team ? OwnTeamId : null, isOperatorOrganization);

    private static Guid? TeamOf(Target target) => target switch
    {
        Target.Organization => null,
        Target.OwnTeam => OwnTeamId,
        Target.OtherTeam => OtherTeamId,
        _ => throw new ArgumentOutOfRangeException(nameof(target)),
    };
}
