using Faultline.Domain.Experiments;
using Faultline.Storage.Experiments;
using Microsoft.Extensions.Logging;

namespace Faultline.Engine.Runs;

/// <summary>
/// Fires scheduled experiments from every node; the store's row locks make each firing happen once. A firing
/// that would overlap a run still in progress is skipped under the default "forbid" policy and counted.
/// </summary>
public sealed class ExperimentScheduler(ScheduleStore schedules, ILogger<ExperimentScheduler> logger)
{
    public async Task<IReadOnlyList<ScheduleFiring>> TickAsync(CancellationToken cancellationToken)
    {
        var firings = await schedules.FireDueAsync(NextAfter, 50, cancellationToken);
        foreach (var firing in firings)
        {
            if (firing.RunId is { } runId)
            {
                logger.LogInformation("Schedule of {Experiment} due {DueAt:O} fired run {RunId}; next {Next:O}", firing.ExperimentName, firing.DueAt, runId, firing.NextFireAt);
            }
            else
            {
                logger.LogInformation("Schedule of {Experiment} due {DueAt:O} skipped: {Reason}; next {Next:O}", firing.ExperimentName, firing.DueAt, firing.SkippedBecause, firing.NextFireAt);
            }
        }

        return firings;
    }

    private static DateTimeOffset? NextAfter(string cron, DateTimeOffset after) =>
        CronSchedule.TryParse(cron, out var schedule, out _) ? schedule.NextAfter(after) : null;
}
