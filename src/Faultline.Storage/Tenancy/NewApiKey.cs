using Faultline.Domain.Tenancy;

namespace Faultline.Storage.Tenancy;

/// <summary>A key about to be stored: its lookup prefix and hash only, never the secret itself.</summary>
public sealed record NewApiKey(string Name, Role Role, string Lookup, byte[] TokenHash, DateTime? ExpiresAt, bool Approver = false)
{
    public static NewApiKey From(ApiKeyToken token, string name, Role role, DateTime? expiresAt, bool approver = false) =>
        new(name, role, token.Lookup, token.Hash(), expiresAt, approver);
}
