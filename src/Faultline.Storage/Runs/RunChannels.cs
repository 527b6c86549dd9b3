namespace Faultline.Storage.Runs;

/// <summary>
/// LISTEN/NOTIFY channels of the engine. Notifications only wake nodes early: every decision is re-read
/// from the tables, and every node also polls, so a lost notification delays work but never loses it.
/// </summary>
public static class RunChannels
{
    /// <summary>Work for the engine: <c>new:&lt;run&gt;</c>, <c>abort:&lt;run&gt;</c>, <c>halt</c>.</summary>
    public const string Work = "faultline_runs";

    /// <summary>A run's timeline grew: payload is the run id. Wakes Server-Sent Events streams.</summary>
    public const string Events = "faultline_run_events";

    public static string NewRun(Guid runId) => $"new:{runId}";

    public static string Abort(Guid runId) => $"abort:{runId}";

    public const string Halt = "halt";
}
