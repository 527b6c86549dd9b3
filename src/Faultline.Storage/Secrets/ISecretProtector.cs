namespace Faultline.Storage.Secrets;

/// <summary>
/// Seals secret values for storage and opens them again. The store never writes a value any other way, so
/// no plaintext reaches the database; an implementation binds each ciphertext to its <see cref="SecretBinding"/>.
/// </summary>
public interface ISecretProtector
{
    /// <summary>The master key new values are sealed with.</summary>
    string CurrentKeyId { get; }

    SealedSecret Protect(string value, SecretBinding binding);

    /// <summary>The value; <see cref="SecretDecryptionException"/> when the ciphertext was altered, belongs elsewhere or needs a key this node lacks.</summary>
    string Unprotect(SealedSecret sealedSecret, SecretBinding binding);
}
