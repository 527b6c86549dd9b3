namespace Faultline.Storage.Secrets;

/// <summary>
/// A sealed value as stored: <see cref="Ciphertext"/> is the AES-GCM ciphertext followed by its 16-byte tag,
/// <see cref="Nonce"/> the 12 random bytes of this write, <see cref="KeyId"/> the master key that sealed it.
/// </summary>
public sealed record SealedSecret(byte[] Ciphertext, byte[] Nonce, string KeyId);
