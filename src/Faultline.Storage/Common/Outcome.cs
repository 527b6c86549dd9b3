namespace Faultline.Storage.Common;

/// <summary>What became of a write. The API maps each status to one HTTP answer.</summary>
public enum OutcomeStatus
{
    Done,
    NotFound,

    /// <summary>The caller's version (If-Match) is not the stored one: someone else wrote first.</summary>
    VersionMismatch,

    /// <summary>A uniqueness rule would be broken (a team name taken, an e-mail already a member).</summary>
    Conflict,
}

public readonly record struct Outcome<T>(OutcomeStatus Status, T? Value)
{
    public static Outcome<T> Done(T value) => new(OutcomeStatus.Done, value);

    public static Outcome<T> NotFound() => new(OutcomeStatus.NotFound, default);

    public static Outcome<T> VersionMismatch() => new(OutcomeStatus.VersionMismatch, default);

    public static Outcome<T> Conflict() => new(OutcomeStatus.Conflict, default);
}
