namespace Faultline.Storage.Secrets;

/// <summary>A secret as the API may show it: everything but the value, which this type cannot even hold.</summary>
public sealed record SecretRecord(
    Guid Id,
    Guid OrganizationId,
    Guid TeamId,
    string Name,
    string KeyId,
    DateTime CreatedAt,
    string CreatedBy,
    DateTime UpdatedAt,
    string UpdatedBy,
    int Version)
{
    public const string Columns =
        "id, organization_id as OrganizationId, team_id as TeamId, name, key_id as KeyId, created_at as CreatedAt, created_by as CreatedBy, " +
        "updated_at as UpdatedAt, updated_by as UpdatedBy, version";
}

/// <summary>The outcome of a create-or-replace: the secret's metadata and whether it was new.</summary>
public sealed record SecretPut(SecretRecord Secret, bool Created);
