namespace Faultline.Storage.Tenancy;

// Rows as stored. Timestamps are UTC DateTime because that is what Npgsql returns for timestamptz.

public sealed record OrganizationRecord(Guid Id, string Name, string Slug, bool IsOperator, DateTime CreatedAt, DateTime UpdatedAt, int Version);

public sealed record TeamRecord(Guid Id, Guid OrganizationId, string Name, string? Description, DateTime CreatedAt, DateTime UpdatedAt, int Version);

public sealed record MemberRecord(Guid Id, Guid OrganizationId, Guid TeamId, string Email, string? DisplayName, string Role, DateTime CreatedAt, DateTime UpdatedAt, int Version);

public sealed record ApiKeyRecord(
    Guid Id,
    Guid OrganizationId,
    Guid? TeamId,
    string Name,
    string Role,
    string Lookup,
    Guid? CreatedBy,
    DateTime CreatedAt,
    DateTime? ExpiresAt,
    DateTime? RevokedAt,
    DateTime? LastUsedAt,
    bool Approver);

/// <summary>What authentication needs about a presented key, read in one query.</summary>
public sealed record ApiKeyCredential(
    Guid Id,
    Guid OrganizationId,
    Guid? TeamId,
    string Name,
    string Role,
    byte[] TokenHash,
    DateTime? ExpiresAt,
    DateTime? RevokedAt,
    DateTime? LastUsedAt,
    bool IsOperatorOrganization,
    bool Approver);
