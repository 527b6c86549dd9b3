namespace Faultline.Storage.Secrets;

/// <summary>The secrets master key is missing or unusable; the message says what to set. The node must not start.</summary>
public sealed class MasterKeyException : Exception
{
    public MasterKeyException()
    {
    }

    public MasterKeyException(string message)
        : base(message)
    {
    }

    public MasterKeyException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
