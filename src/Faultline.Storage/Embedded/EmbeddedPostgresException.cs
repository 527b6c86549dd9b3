namespace Faultline.Storage.Embedded;

/// <summary>The embedded database could not be created, started or reached; the message says what to do.</summary>
public sealed class EmbeddedPostgresException : Exception
{
    public EmbeddedPostgresException(string message)
        : base(message)
    {
    }

    public EmbeddedPostgresException()
    {
    }

    public EmbeddedPostgresException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
