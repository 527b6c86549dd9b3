namespace Faultline.Storage.Tenancy;

public sealed record TenantCreated(OrganizationRecord Organization, ApiKeyRecord OwnerKey);
