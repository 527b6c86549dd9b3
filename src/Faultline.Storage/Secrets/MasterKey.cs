using System.Security.Cryptography;
using System.Text;

namespace Faultline.Storage.Secrets;

/// <summary>
/// The 256-bit key secrets are sealed with. <see cref="Id"/> is a fingerprint of the key, stored with each row
/// so a rotation can tell which key opens which row, and a node started with the wrong key says so plainly.
/// </summary>
public sealed class MasterKey
{
    public const int Size = 32;

    private readonly byte[] _bytes;

    private MasterKey(byte[] bytes)
    {
        _bytes = bytes;
        var fingerprint = SHA256.HashData([.. Encoding.ASCII.GetBytes("faultline.secrets.key-id\n"), .. bytes]);
        Id = "k-" + Convert.ToHexStringLower(fingerprint.AsSpan(0, 8));
    }

    public string Id { get; }

    /// <summary>A fresh random key, as the embedded mode creates on first start.</summary>
    public static MasterKey Generate() => new(RandomNumberGenerator.GetBytes(Size));

    /// <summary>Reads the base64 text of 32 bytes; <paramref name="source"/> names where it came from in the error.</summary>
    public static MasterKey FromBase64(string text, string source)
    {
        ArgumentNullException.ThrowIfNull(text);
        byte[] bytes;
        try
        {
            bytes = Convert.FromBase64String(text.Trim());
        }
        catch (FormatException)
        {
            throw new MasterKeyException($"{source} is not base64 (expected the base64 text of {Size} random bytes, e.g. from `openssl rand -base64 32`).");
        }

        return bytes.Length == Size
            ? new MasterKey(bytes)
            : throw new MasterKeyException($"{source} holds {bytes.Length} bytes; a secrets key is exactly {Size} bytes (AES-256), e.g. from `openssl rand -base64 32`.");
    }

    public string ToBase64() => Convert.ToBase64String(_bytes);

    /// <summary>An AES-GCM instance over this key, for one operation (the type is not thread-safe).</summary>
    internal AesGcm CreateCipher() => new(_bytes, AesGcmSecretProtector.TagSize);

    // Never the key itself, wherever the object ends up being printed.
    public override string ToString() => $"MasterKey({Id})";
}
