using System.Text;

namespace Faultline.Storage.Secrets;

/// <summary>
/// Where a secret belongs. It is the associated data of the encryption: a ciphertext copied to another
/// organization, team or name fails authentication instead of decrypting there.
/// </summary>
public sealed record SecretBinding(Guid OrganizationId, Guid TeamId, string Name)
{
    // Versioned, so a later change of the layout cannot be confused with this one.
    private const string Context = "faultline.secret.v1";

    public byte[] AssociatedData() =>
        Encoding.UTF8.GetBytes($"{Context}\n{OrganizationId:D}\n{TeamId:D}\n{Name}");

    public override string ToString() => $"secret '{Name}' of team {TeamId:D}";
}
