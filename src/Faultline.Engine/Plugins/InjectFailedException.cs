namespace Faultline.Engine.Plugins;

/// <summary>What the host did after an inject failed or hung: whether the leftover scan ran and what it removed.</summary>
public sealed record LeftoverCleanup(bool Completed, int Removed, string? Error)
{
    public override string ToString() => Completed
        ? $"Rolled back {Removed} leftover(s) of this fault."
        : $"Leftover cleanup failed ({Error}); the fault may still be present and stays marked for reconciliation.";
}

/// <summary>An inject failed or timed out; <see cref="Cleanup"/> says what was rolled back.</summary>
public sealed class InjectFailedException : Exception
{
    public InjectFailedException()
    {
        Cleanup = new LeftoverCleanup(false, 0, null);
    }

    public InjectFailedException(string message)
        : base(message)
    {
        Cleanup = new LeftoverCleanup(false, 0, null);
    }

    public InjectFailedException(string message, Exception innerException)
        : base(message, innerException)
    {
        Cleanup = new LeftoverCleanup(false, 0, null);
    }

    public InjectFailedException(string message, Exception innerException, LeftoverCleanup cleanup)
        : base(message, innerException)
    {
        Cleanup = cleanup;
    }

    public LeftoverCleanup Cleanup { get; }

    public bool TimedOut => InnerException is PluginCallException { TimedOut: true };
}
