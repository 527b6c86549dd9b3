namespace Faultline.Domain.Tenancy;

/// <summary>The stored and wire spelling of roles: lower-case names, never numbers.</summary>
public static class RoleNames
{
    public static string ToName(this Role role) => role switch
    {
        Role.Viewer => "viewer",
        Role.Operator => "operator",
        Role.Admin => "admin",
        Role.Owner => "owner",
        _ => throw new ArgumentOutOfRangeException(nameof(role), role, "Unknown role."),
    };

    public static Role Parse(string name) => name switch
    {
        "viewer" => Role.Viewer,
        "operator" => Role.Operator,
        "admin" => Role.Admin,
        "owner" => Role.Owner,
        _ => throw new FormatException($"Unknown role '{name}'."),
    };
}
