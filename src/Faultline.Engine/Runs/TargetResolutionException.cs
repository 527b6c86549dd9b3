namespace Faultline.Engine.Runs;

/// <summary>A selector could not be turned into targets (unknown discovery, ambiguous explicit target, none found).</summary>
public sealed class TargetResolutionException : Exception
{
    public TargetResolutionException()
    {
    }

    public TargetResolutionException(string message)
        : base(message)
    {
    }

    public TargetResolutionException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
