using System.Globalization;
using Faultline.Domain.Experiments;

namespace Faultline.Domain.Tests.Experiments;

public sealed class CronScheduleTests
{
    private static readonly DateTimeOffset Start = DateTimeOffset.Parse("2026-11-21T23:27:30Z", CultureInfo.InvariantCulture);

    [Theory]
    [InlineData("*/15 * * * *", "2026-11-21T23:30:00Z")]
    [InlineData("0 * * * *", "2026-11-22T00:00:00Z")]
    [InlineData("@hourly", "2026-11-22T00:00:00Z")]
    [InlineData("@daily", "2026-11-22T00:00:00Z")]
    [InlineData("30 9 * * mon-fri", "2026-11-23T09:30:00Z")]
    [InlineData("0 0 1 jan *", "2027-01-01T00:00:00Z")]
    [InlineData("0 12 * * 7", "2026-11-22T12:00:00Z")]
    [InlineData("0 0 29 2 *", "2028-02-29T00:00:00Z")]
    [InlineData("0 0 13 * 5", "2026-11-27T00:00:00Z")]
    public void Next_firing_follows_cron(string expression, string expected)
    {
        Assert.True(CronSchedule.TryParse(expression, out var schedule, out var error), error);

        Assert.Equal(DateTimeOffset.Parse(expected, CultureInfo.InvariantCulture), schedule.NextAfter(Start));
    }

    [Fact]
    public void Every_fires_at_fixed_intervals()
    {
        Assert.True(CronSchedule.TryParse("@every 10m", out var schedule, out _));

        Assert.Equal(Start.AddMinutes(10), schedule.NextAfter(Start));
    }

    [Theory]
    [InlineData("")]
    [InlineData("* * * *")]
    [InlineData("60 * * * *")]
    [InlineData("* 24 * * *")]
    [InlineData("* * 0 * *")]
    [InlineData("* * * 13 *")]
    [InlineData("* * * * 8")]
    [InlineData("*/0 * * * *")]
    [InlineData("5-1 * * * *")]
    [InlineData("@every 1s")]
    [InlineData("@every soon")]
    [InlineData("@fortnightly")]
    public void Nonsense_is_refused_with_a_reason(string expression)
    {
        Assert.False(CronSchedule.TryParse(expression, out _, out var error));
        Assert.False(string.IsNullOrWhiteSpace(error));
    }

    [Theory]
    [InlineData("300s", 300_000)]
    [InlineData("200ms", 200)]
    [InlineData("1m30s", 90_000)]
    [InlineData("1.5h", 5_400_000)]
    public void Durations_read_like_kubernetes(string text, double milliseconds)
    {
        Assert.True(Durations.TryParse(text, out var duration));
        Assert.Equal(milliseconds, duration.TotalMilliseconds);
    }

    [Theory]
    [InlineData("300")]
    [InlineData("5 minutes")]
    [InlineData("-5s")]
    [InlineData("s")]
    public void Bare_or_odd_durations_are_refused(string text) => Assert.False(Durations.TryParse(text, out _));
}
