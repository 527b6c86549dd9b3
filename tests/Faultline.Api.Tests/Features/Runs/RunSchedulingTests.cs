using System.Text.Json;

namespace Faultline.Api.Tests.Features.Runs;

/// <summary>Schedules fire on time from the database clock and, by default, never overlap a run still in progress.</summary>
public sealed class RunSchedulingTests(PostgresServer postgres) : ApiTest(postgres)
{
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task A_schedule_fires_on_its_grid_and_skips_firings_that_would_overlap()
    {
        await using var health = await HealthEndpoint.StartAsync();

        // Each run takes longer than the interval, so "forbid" must skip the firings that fall inside it.
        var experiment = await Owner.CreateExperimentAsync(
            RunApi.NoopExperiment("every-ten-seconds", health.Url, duration: "11s", schedule: "{ cron: \"@every 10s\", concurrency: forbid }"));

        List<JsonElement> runs = [];
        await Poll.UntilAsync(async () =>
        {
            runs = await ListRunsAsync(experiment);
            return runs.Count(r => r.GetProperty("verdict").ValueKind == JsonValueKind.String) >= 2;
        }, TimeSpan.FromSeconds(90), "two scheduled runs completed");

        var done = runs.Where(r => r.GetProperty("verdict").ValueKind == JsonValueKind.String).OrderBy(r => r.GetProperty("createdAt").GetDateTimeOffset()).ToList();
        Assert.All(done, r =>
        {
            Assert.Equal("schedule", r.GetProperty("trigger").GetString());
            Assert.Equal("passed", r.GetProperty("verdict").GetString());
        });
        var all = runs.OrderBy(r => r.GetProperty("createdAt").GetDateTimeOffset()).ToList();
        for (var i = 1; i < all.Count; i++)
        {
            var previous = all[i - 1];
            var next = all[i];
            Assert.True(previous.GetProperty("finishedAt").ValueKind == JsonValueKind.String, "a run was created while the previous one was still unfinished");
            var gap = next.GetProperty("createdAt").GetDateTimeOffset() - previous.GetProperty("finishedAt").GetDateTimeOffset();
            Assert.True(gap >= TimeSpan.Zero, $"run {i} started {-gap.TotalMilliseconds:0} ms before run {i - 1} finished");

            // On time: firings stay on the schedule's grid (a whole number of intervals apart, within the poll), and
            // the one that fell inside the previous run was skipped, not delayed.
            var apart = next.GetProperty("createdAt").GetDateTimeOffset() - previous.GetProperty("createdAt").GetDateTimeOffset();
            var intervals = Math.Round(apart / Interval);
            Assert.True(intervals >= 2, $"runs {i - 1} and {i} are {apart.TotalSeconds:0.0} s apart: the overlapping firing was not skipped");
            var drift = (apart - (Interval * intervals)).Duration();
            Assert.True(drift <= TimeSpan.FromMilliseconds(500), $"runs {i - 1} and {i} are {apart.TotalSeconds:0.000} s apart, {drift.TotalMilliseconds:0} ms off the 10 s grid");
        }

        Assert.True(await Server.ScalarAsync<int>($"select skipped_firings from experiments where id = '{experiment}'") > 0, "no firing was skipped although every run outlasted the interval");

        // Deleting the experiment ends its schedule.
        var current = await (await Owner.GetAsync(new Uri($"/api/v1/experiments/{experiment}", UriKind.Relative), TestContext.Current.CancellationToken)).ReadJsonAsync();
        var deleted = await Owner.SendRawAsync(HttpMethod.Delete, $"/api/v1/experiments/{experiment}", null, ifMatch: $"\"{current.GetProperty("version").GetInt32()}\"");
        Assert.Equal(System.Net.HttpStatusCode.NoContent, deleted.StatusCode);
        Assert.Equal(0, await Server.ScalarAsync<long>("select count(*) from experiments where schedule_cron is not null"));
    }

    private async Task<List<JsonElement>> ListRunsAsync(Guid experiment)
    {
        var page = await (await Owner.GetAsync(new Uri($"/api/v1/runs?experimentId={experiment}&limit=200", UriKind.Relative), TestContext.Current.CancellationToken)).ReadJsonAsync();
        return [.. page.GetProperty("items").EnumerateArray()];
    }
}
