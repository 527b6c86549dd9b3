namespace Faultline.Storage.Tenancy;

public sealed record BootstrapResult(OrganizationRecord Organization, TeamRecord Team, Guid OwnerKeyId);
