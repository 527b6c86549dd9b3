namespace Faultline.Domain.Tenancy;

/// <summary>
/// What an API key may do. Ordered: each role includes everything the roles below it may do.
/// </summary>
public enum Role
{
    /// <summary>Reads experiments, runs, teams and members.</summary>
    Viewer = 1,

    /// <summary>Also starts, halts and schedules experiments.</summary>
    Operator = 2,

    /// <summary>Also manages teams, members and API keys, and reads the audit log.</summary>
    Admin = 3,

    /// <summary>Organization level only: also renames the organization and issues owner keys.</summary>
    Owner = 4,
}
