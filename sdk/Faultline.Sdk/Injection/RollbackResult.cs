namespace Faultline.Sdk.Injection;

public enum RollbackStatus
{
    /// <summary>The fault was there and has been removed.</summary>
    Removed,

    /// <summary>Nothing was left to remove (already rolled back, expired, or never applied). Not an error.</summary>
    AlreadyAbsent,
}

/// <summary>The outcome of an idempotent rollback. A rollback that cannot remove the fault throws instead.</summary>
public sealed record RollbackResult(RollbackStatus Status, string Evidence)
{
    public static RollbackResult Removed(string evidence) => new(RollbackStatus.Removed, evidence);

    public static RollbackResult AlreadyAbsent(string evidence) => new(RollbackStatus.AlreadyAbsent, evidence);
}
