using System.Security.Cryptography;
using System.Text;

namespace Faultline.Storage.Secrets;

/// <summary>
/// AES-256-GCM with a random 12-byte nonce per write and the <see cref="SecretBinding"/> as associated data.
/// New values are sealed with the current key; rows name their key, and any key given here opens its rows,
/// which is what a rotation needs (seal with the new key, keep the old one until every row is re-sealed).
/// </summary>
public sealed class AesGcmSecretProtector : ISecretProtector
{
    public const int NonceSize = 12;
    public const int TagSize = 16;

    private readonly MasterKey _current;
    private readonly Dictionary<string, MasterKey> _keys;

    public AesGcmSecretProtector(MasterKey current, IEnumerable<MasterKey>? previous = null)
    {
        ArgumentNullException.ThrowIfNull(current);
        if (!AesGcm.IsSupported)
        {
            throw new MasterKeyException("AES-GCM is not supported on this platform; secrets cannot be stored safely.");
        }

        _current = current;
        _keys = new Dictionary<string, MasterKey>(StringComparer.Ordinal) { [current.Id] = current };
        foreach (var key in previous ?? [])
        {
            _keys.TryAdd(key.Id, key);
        }
    }

    public string CurrentKeyId => _current.Id;

    public SealedSecret Protect(string value, SecretBinding binding)
    {
        ArgumentNullException.ThrowIfNull(value);
        ArgumentNullException.ThrowIfNull(binding);
        var plaintext = Encoding.UTF8.GetBytes(value);
        try
        {
            var nonce = RandomNumberGenerator.GetBytes(NonceSize);
            var sealedBytes = new byte[plaintext.Length + TagSize];
            using var cipher = _current.CreateCipher();
            cipher.Encrypt(nonce, plaintext, sealedBytes.AsSpan(0, plaintext.Length), sealedBytes.AsSpan(plaintext.Length), binding.AssociatedData());
            return new SealedSecret(sealedBytes, nonce, _current.Id);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(plaintext);
        }
    }

    public string Unprotect(SealedSecret sealedSecret, SecretBinding binding)
    {
        ArgumentNullException.ThrowIfNull(sealedSecret);
        ArgumentNullException.ThrowIfNull(binding);
        if (!_keys.TryGetValue(sealedSecret.KeyId, out var key))
        {
            throw new SecretDecryptionException(
                $"The {binding} was sealed with master key {sealedSecret.KeyId}, which this node does not have (it has {_current.Id}): " +
                "start every node with the same FAULTLINE_SECRETS_KEY.");
        }

        if (sealedSecret.Nonce.Length != NonceSize || sealedSecret.Ciphertext.Length < TagSize)
        {
            throw new SecretDecryptionException($"The stored {binding} is malformed (nonce or ciphertext of the wrong length).");
        }

        var length = sealedSecret.Ciphertext.Length - TagSize;
        var plaintext = new byte[length];
        try
        {
            using var cipher = key.CreateCipher();
            cipher.Decrypt(sealedSecret.Nonce, sealedSecret.Ciphertext.AsSpan(0, length), sealedSecret.Ciphertext.AsSpan(length), plaintext, binding.AssociatedData());
            return Encoding.UTF8.GetString(plaintext);
        }
        catch (AuthenticationTagMismatchException exception)
        {
            throw new SecretDecryptionException(
                $"The stored {binding} does not decrypt: its ciphertext was altered, or the row was moved from another organization, team or name.", exception);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(plaintext);
        }
    }
}
