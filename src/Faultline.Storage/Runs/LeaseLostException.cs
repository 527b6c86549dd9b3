namespace Faultline.Storage.Runs;

/// <summary>
/// A fenced write matched nothing: another node holds the run now (or the lease lapsed). The writer must stop
/// at once; whatever it was about to record is the new owner's to reconcile.
/// </summary>
public sealed class LeaseLostException : Exception
{
    public LeaseLostException()
    {
    }

    public LeaseLostException(string message)
        : base(message)
    {
    }

    public LeaseLostException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
