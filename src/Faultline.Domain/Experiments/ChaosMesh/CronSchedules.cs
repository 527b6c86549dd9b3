namespace Faultline.Domain.Experiments.ChaosMesh;

/// <summary>
/// Checks that a Chaos Mesh cron text is one a Faultline <see cref="Schedule"/> can run, as
/// <see cref="CronSchedule"/> parses it. Chaos Mesh 1.x also took a six-field form whose first field is
/// seconds, and robfig/cron a time-zone prefix; both get their own message, since the generic one would not
/// tell the author what to change.
/// </summary>
internal static class CronSchedules
{
    /// <summary>Null when <paramref name="cron"/> can be run as is; otherwise what is wrong with it.</summary>
    public static string? Problem(string cron)
    {
        var fields = cron.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
        if (fields.Length > 0 && fields[0].Contains('=', StringComparison.Ordinal))
        {
            return "time-zone prefixes (CRON_TZ=, TZ=) are not supported: Faultline schedules run in UTC.";
        }

        if (fields.Length == 6 && !cron.StartsWith('@'))
        {
            return "has six fields (seconds first, the Chaos Mesh 1.x form); Faultline schedules use five: minute hour day-of-month month day-of-week.";
        }

        return CronSchedule.TryParse(cron, out _, out var error) ? null : error;
    }
}
