namespace Faultline.Storage.Secrets;

/// <summary>A stored secret that cannot be opened. Its message names the secret and why, never a value.</summary>
public sealed class SecretDecryptionException : Exception
{
    public SecretDecryptionException()
    {
    }

    public SecretDecryptionException(string message)
        : base(message)
    {
    }

    public SecretDecryptionException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
