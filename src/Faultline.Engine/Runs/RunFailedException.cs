namespace Faultline.Engine.Runs;

/// <summary>The run cannot go on as planned (a refused conflict, a failed inject, a fault not in effect): roll back, verdict error.</summary>
public sealed class RunFailedException : Exception
{
    public RunFailedException()
    {
    }

    public RunFailedException(string message)
        : base(message)
    {
    }

    public RunFailedException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
