namespace Faultline.Bench.Engine;

/// <summary>
/// A moment on PostgreSQL's clock (<c>clock_timestamp()</c>, UTC), the clock the engine stamps fault removals
/// and timeline events with (<c>now()</c>). <paramref name="RoundTrip"/> is how long the query took as the
/// bench saw it: an action taken right after the reply happened at most that long after <paramref name="At"/>.
/// </summary>
internal sealed record DatabaseStamp(DateTime At, TimeSpan RoundTrip);
