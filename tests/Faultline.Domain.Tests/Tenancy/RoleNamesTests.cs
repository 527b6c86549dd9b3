using Faultline.Domain.Tenancy;

namespace Faultline.Domain.Tests.Tenancy;

public sealed class RoleNamesTests
{
    [Theory]
    [InlineData(Role.Viewer, "viewer")]
    [InlineData(Role.Operator, "operator")]
    [InlineData(Role.Admin, "admin")]
    [InlineData(Role.Owner, "owner")]
    public void Roles_are_spelled_as_lower_case_names_and_parse_back(Role role, string name)
    {
        Assert.Equal(name, role.ToName());
        Assert.Equal(role, RoleNames.Parse(name));
    }

    [Theory]
    [InlineData("Owner")]
    [InlineData("ADMIN")]
    [InlineData("4")]
    [InlineData("")]
    [InlineData(" viewer")]
    [InlineData("superuser")]
    public void Unknown_or_differently_spelled_names_are_rejected(string name) =>
        Assert.Throws<FormatException>(() => RoleNames.Parse(name));

    [Fact]
    public void A_role_outside_the_enum_has_no_name() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => ((Role)0).ToName());
}
