using System.Diagnostics.CodeAnalysis;
using System.Globalization;

namespace Faultline.Domain.Experiments;

/// <summary>
/// A schedule expression: 5-field cron (minute hour day-of-month month day-of-week, with *, lists, ranges,
/// steps and names), <c>@every &lt;duration&gt;</c>, or a macro (@hourly, @daily, @midnight, @weekly, @monthly,
/// @yearly, @annually). Times are UTC. As in classic cron, when both day fields are restricted a day matching
/// either one fires.
/// </summary>
public sealed class CronSchedule
{
    private static readonly TimeSpan MinimumEvery = TimeSpan.FromSeconds(10);
    private static readonly string[] MonthNames = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"];
    private static readonly string[] DayNames = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"];

    private readonly bool[] _minutes = new bool[60];
    private readonly bool[] _hours = new bool[24];
    private readonly bool[] _days = new bool[32];
    private readonly bool[] _months = new bool[13];
    private readonly bool[] _weekdays = new bool[7];
    private bool _dayRestricted;
    private bool _weekdayRestricted;

    private CronSchedule(string expression) => Expression = expression;

    public string Expression { get; }

    /// <summary>Set for <c>@every</c> schedules: fixed intervals from the previous firing.</summary>
    public TimeSpan? Every { get; private set; }

    public static bool TryParse(string? text, [NotNullWhen(true)] out CronSchedule? schedule, out string error)
    {
        schedule = null;
        error = "";
        var expression = text?.Trim() ?? "";
        var macro = expression.ToLowerInvariant() switch
        {
            "@yearly" or "@annually" => "0 0 1 1 *",
            "@monthly" => "0 0 1 * *",
            "@weekly" => "0 0 * * 0",
            "@daily" or "@midnight" => "0 0 * * *",
            "@hourly" => "0 * * * *",
            _ => null,
        };

        var parsed = new CronSchedule(expression);
        if (expression.StartsWith("@every ", StringComparison.OrdinalIgnoreCase))
        {
            if (!Durations.TryParse(expression[7..].Trim(), out var every) || every < MinimumEvery)
            {
                error = $"'@every' needs a duration of at least {Durations.Format(MinimumEvery)}, such as @every 10m.";
                return false;
            }

            parsed.Every = every;
            schedule = parsed;
            return true;
        }

        var fields = (macro ?? expression).Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (fields.Length != 5)
        {
            error = "must be 5 cron fields (minute hour day-of-month month day-of-week), @every <duration>, or @hourly/@daily/@weekly/@monthly/@yearly.";
            return false;
        }

        if (!Field(fields[0], 0, 59, null, parsed._minutes, out error, "minute") ||
            !Field(fields[1], 0, 23, null, parsed._hours, out error, "hour") ||
            !Field(fields[2], 1, 31, null, parsed._days, out error, "day-of-month") ||
            !Field(fields[3], 1, 12, MonthNames, parsed._months, out error, "month") ||
            !Field(fields[4], 0, 7, DayNames, parsed._weekdays, out error, "day-of-week"))
        {
            return false;
        }

        parsed._dayRestricted = fields[2] != "*";
        parsed._weekdayRestricted = fields[4] != "*";
        schedule = parsed;
        return true;
    }

    /// <summary>The first firing strictly after <paramref name="after"/> (UTC), or null if none within five years.</summary>
    public DateTimeOffset? NextAfter(DateTimeOffset after)
    {
        if (Every is { } every)
        {
            return after + every;
        }

        var time = new DateTimeOffset(after.UtcDateTime.Year, after.UtcDateTime.Month, after.UtcDateTime.Day, after.UtcDateTime.Hour, after.UtcDateTime.Minute, 0, TimeSpan.Zero).AddMinutes(1);
        var limit = time.AddYears(5);
        while (time < limit)
        {
            if (!_months[time.Month] || !DayMatches(time))
            {
                time = new DateTimeOffset(time.Year, time.Month, time.Day, 0, 0, 0, TimeSpan.Zero).AddDays(1);
                continue;
            }

            if (!_hours[time.Hour])
            {
                time = new DateTimeOffset(time.Year, time.Month, time.Day, time.Hour, 0, 0, TimeSpan.Zero).AddHours(1);
                continue;
            }

            if (_minutes[time.Minute])
            {
                return time;
            }

            time = time.AddMinutes(1);
        }

        return null;
    }

    private bool DayMatches(DateTimeOffset time)
    {
        var day = _days[time.Day];
        var weekday = _weekdays[(int)time.DayOfWeek];
        return (_dayRestricted, _weekdayRestricted) switch
        {
            (true, true) => day || weekday,
            (true, false) => day,
            (false, true) => weekday,
            _ => true,
        };
    }

    private static bool Field(string text, int min, int max, string[]? names, bool[] set, out string error, string label)
    {
        error = "";
        foreach (var part in text.Split(','))
        {
            var step = 1;
            var range = part;
            var slash = part.IndexOf('/', StringComparison.Ordinal);
            if (slash >= 0)
            {
                if (!int.TryParse(part[(slash + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out step) || step < 1)
                {
                    error = $"{label}: '{part}' has an invalid step.";
                    return false;
                }

                range = part[..slash];
            }

            int low, high;
            if (range == "*")
            {
                (low, high) = (min, max);
            }
            else
            {
                var dash = range.IndexOf('-', StringComparison.Ordinal);
                if (!Value(dash < 0 ? range : range[..dash], names, out low) ||
                    !Value(dash < 0 ? range : range[(dash + 1)..], names, out high) ||
                    low < min || high > max || low > high)
                {
                    error = $"{label}: '{part}' is out of range {min}-{max}.";
                    return false;
                }

                if (dash < 0 && slash >= 0)
                {
                    high = max;
                }
            }

            for (var value = low; value <= high; value += step)
            {
                // Day-of-week 7 is Sunday too.
                set[set.Length == 7 ? value % 7 : value] = true;
            }
        }

        return true;
    }

    private static bool Value(string text, string[]? names, out int value)
    {
        if (int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out value))
        {
            return true;
        }

        var index = names is null ? -1 : System.Array.IndexOf(names, text.ToLowerInvariant());
        value = index < 0 ? -1 : index + (names == MonthNames ? 1 : 0);
        return index >= 0;
    }
}
