using Faultline.Storage.Experiments;
using Faultline.Storage.Policies;

namespace Faultline.Storage.Tests.Runs;

/// <summary>
/// <see cref="ScheduleStore.FireDueAsync"/>: a schedule's first firing is computed before anything runs; each due
/// firing then creates one run (or is skipped or replaces the open run, by its concurrency policy), however many
/// nodes fire at once.
/// </summary>
public sealed class ScheduleFiringTests(PostgresServer postgres) : RunStorageTest(postgres)
{
    private const string Cron = "@every 1s";
    private static readonly Func<string, DateTimeOffset, DateTimeOffset?> EverySecond = (_, now) => now + TimeSpan.FromSeconds(1);
    private static readonly Func<string, DateTimeOffset, DateTimeOffset?> Hourly = (_, now) => now + TimeSpan.FromHours(1);

    private ExperimentStore _experiments = null!;
    private ScheduleStore _schedules = null!;

    public override async ValueTask InitializeAsync()
    {
        await base.InitializeAsync();
        _experiments = new ExperimentStore(DataSource);
        _schedules = new ScheduleStore(DataSource);
    }

    [Fact]
    public async Task A_new_schedule_first_gets_its_next_firing_computed_and_no_run()
    {
        var experiment = await CreateScheduledAsync("cpu-burn", "forbid");
        var asked = new List<(string Cron, DateTimeOffset Now)>();
        var before = await ScalarAsync<DateTime>("select now()");

        var firings = await _schedules.FireDueAsync((cron, now) => { asked.Add((cron, now)); return now + TimeSpan.FromSeconds(1); }, 10, Ct);

        var after = await ScalarAsync<DateTime>("select now()");
        Assert.Empty(firings);
        var (askedCron, askedNow) = Assert.Single(asked);
        Assert.Equal(Cron, askedCron);
        Assert.InRange(askedNow.UtcDateTime, before, after);
        Assert.Equal((askedNow + TimeSpan.FromSeconds(1)).UtcDateTime, await NextFireAtAsync(experiment));
        Assert.Equal(0L, await RunCountAsync());
        Assert.Empty(await _schedules.FireDueAsync(EverySecond, 10, Ct));
    }

    [Fact]
    public async Task A_due_schedule_creates_exactly_one_run_triggered_by_the_schedule()
    {
        var experiment = await CreateScheduledAsync("cpu-burn", "forbid");
        await _schedules.FireDueAsync(EverySecond, 10, Ct);
        var dueAt = await NextFireAtAsync(experiment);
        await Poll.UntilAsync(
            async () => await ScalarAsync<bool>("select now() >= @dueAt", new { dueAt }),
            TimeSpan.FromSeconds(10), "the database clock reaches the first firing");

        var firing = Assert.Single(await _schedules.FireDueAsync(Hourly, 10, Ct));

        Assert.Equal((experiment, "cpu-burn", dueAt, null), (firing.ExperimentId, firing.ExperimentName, firing.DueAt, firing.SkippedBecause));
        Assert.NotNull(firing.RunId);
        Assert.Equal(await NextFireAtAsync(experiment), firing.NextFireAt);
        Assert.True(firing.NextFireAt > dueAt.AddMinutes(59));
        var run = (await Runs.GetAsync(Acme, firing.RunId.Value, Ct))!;
        Assert.Equal(
            ("schedule", "scheduler", (Guid?)experiment, (Guid?)Payments.Id, "payments", "pending"),
            (run.Trigger, run.RequestedBy, run.ExperimentId, run.TeamId, run.TeamName, run.State));
        Assert.True(await ScalarAsync<bool>("select r.spec = e.spec from runs r join experiments e on e.id = r.experiment_id where r.id = @id", new { id = run.Id }));
        Assert.Equal("system:scheduler", Assert.Single(await AuditRowsAsync(Acme), row => row.Action == "run.created").ActorName);
        Assert.Equal(0, await SkippedFiringsAsync(experiment));

        Assert.Empty(await _schedules.FireDueAsync(Hourly, 10, Ct));
        Assert.Equal(1L, await RunCountAsync());
    }

    [Fact]
    public async Task With_forbid_a_firing_while_a_run_is_unfinished_is_skipped_and_counted()
    {
        var experiment = await CreateScheduledAsync("cpu-burn", "forbid");
        var first = await FireOnceAsync(experiment);
        await MakeDueAsync(experiment);

        var skipped = Assert.Single(await _schedules.FireDueAsync(Hourly, 10, Ct));

        Assert.Null(skipped.RunId);
        Assert.Contains(first.ToString(), skipped.SkippedBecause, StringComparison.Ordinal);
        Assert.Contains("forbid", skipped.SkippedBecause, StringComparison.Ordinal);
        Assert.Equal(1, await SkippedFiringsAsync(experiment));
        Assert.Equal(1L, await RunCountAsync());
        Assert.Null((await Runs.GetAsync(first, Ct))!.AbortRequestedAt);
        Assert.Equal(skipped.NextFireAt, await NextFireAtAsync(experiment));

        await CompleteRunAsync(first);
        var second = await FireOnceAsync(experiment);
        Assert.NotEqual(first, second);
        Assert.Equal(1, await SkippedFiringsAsync(experiment));
    }

    [Fact]
    public async Task With_replace_a_firing_requests_the_abort_of_the_open_run_and_creates_a_new_one()
    {
        var experiment = await CreateScheduledAsync("cpu-burn", "replace");
        var first = await FireOnceAsync(experiment);

        var second = await FireOnceAsync(experiment);

        Assert.NotEqual(first, second);
        var replaced = (await Runs.GetAsync(first, Ct))!;
        Assert.NotNull(replaced.AbortRequestedAt);
        Assert.Equal("user", replaced.AbortRequestCause);
        Assert.Contains("replace", replaced.AbortReason, StringComparison.Ordinal);
        Assert.Null((await Runs.GetAsync(second, Ct))!.AbortRequestedAt);
        Assert.Equal(2L, await RunCountAsync());
        Assert.Equal(0, await SkippedFiringsAsync(experiment));
    }

    [Fact]
    public async Task With_allow_a_firing_runs_alongside_the_open_run()
    {
        var experiment = await CreateScheduledAsync("cpu-burn", "allow");
        var first = await FireOnceAsync(experiment);

        var second = await FireOnceAsync(experiment);

        Assert.NotEqual(first, second);
        Assert.Equal(0L, await ScalarAsync<long>("select count(*) from runs where abort_requested_at is not null"));
        Assert.Equal(2L, await ScalarAsync<long>("select count(*) from runs where state = 'pending'"));
    }

    [Fact]
    public async Task A_firing_under_a_halt_is_skipped_and_counted()
    {
        var experiment = await CreateScheduledAsync("cpu-burn", "allow");
        await _schedules.FireDueAsync(Hourly, 10, Ct);
        await MakeDueAsync(experiment);
        var halt = await EngageAsync(HaltScopes.Organization, Acme, null, "freeze");

        var skipped = Assert.Single(await _schedules.FireDueAsync(Hourly, 10, Ct));

        Assert.Null(skipped.RunId);
        Assert.Equal("halted by an organization halt (freeze)", skipped.SkippedBecause);
        Assert.Equal(0L, await RunCountAsync());
        Assert.Equal(1, await SkippedFiringsAsync(experiment));

        await ReleaseAsync(halt);
        await FireOnceAsync(experiment);
        Assert.Equal(1L, await RunCountAsync());
    }

    [Fact]
    public async Task A_schedule_with_no_next_firing_fires_its_last_run_and_is_unscheduled()
    {
        var experiment = await CreateScheduledAsync("cpu-burn", "forbid");
        await _schedules.FireDueAsync(Hourly, 10, Ct);
        await MakeDueAsync(experiment);

        var last = Assert.Single(await _schedules.FireDueAsync((_, _) => null, 10, Ct));

        Assert.NotNull(last.RunId);
        Assert.Null(last.NextFireAt);
        Assert.True(await ScalarAsync<bool>("select schedule_cron is null and next_fire_at is null from experiments where id = @experiment", new { experiment }));
        Assert.Empty(await _schedules.FireDueAsync(Hourly, 10, Ct));
    }

    [Fact]
    public async Task Two_nodes_firing_at_the_same_moment_never_create_two_runs_for_one_firing()
    {
        var experiments = new List<Guid>();
        for (var i = 0; i < 10; i++)
        {
            experiments.Add(await CreateScheduledAsync($"experiment-{i}", "allow"));
        }

        await _schedules.FireDueAsync(Hourly, 50, Ct);
        const int Rounds = 5;
        for (var round = 1; round <= Rounds; round++)
        {
            await ExecuteAsync("update experiments set next_fire_at = now() - interval '1 second'");

            var start = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var nodes = Enumerable.Range(0, 2)
                .Select(_ => Task.Run(async () => { await start.Task; return await _schedules.FireDueAsync(Hourly, 50, Ct); }, Ct))
                .ToArray();
            start.SetResult();
            var firings = (await Task.WhenAll(nodes)).SelectMany(f => f).ToList();

            Assert.Equal(experiments.Order(), firings.Select(f => f.ExperimentId).Order());
            Assert.All(firings, firing => Assert.NotNull(firing.RunId));
            Assert.Equal(
                experiments.Select(id => (id, (long)round)).Order(),
                (await QueryAsync<(Guid, long)>("select experiment_id, count(*) from runs group by experiment_id")).Order());
        }
    }

    private async Task<Guid> CreateScheduledAsync(string name, string concurrency)
    {
        var outcome = await _experiments.CreateAsync(
            Acme,
            new ExperimentDocument(Payments.Id, name, "faultline", $"name: {name}", Spec, ScheduleCron: Cron, ScheduleConcurrency: concurrency),
            Actor,
            Ct);
        return outcome.Value!.Id;
    }

    /// <summary>Makes the experiment due (computing its first firing if need be) and fires it, returning the new run.</summary>
    private async Task<Guid> FireOnceAsync(Guid experiment)
    {
        if (await ScalarAsync<bool>("select next_fire_at is null from experiments where id = @experiment", new { experiment }))
        {
            await _schedules.FireDueAsync(Hourly, 10, Ct);
        }

        await MakeDueAsync(experiment);
        var firing = Assert.Single(await _schedules.FireDueAsync(Hourly, 10, Ct));
        Assert.Null(firing.SkippedBecause);
        return firing.RunId!.Value;
    }

    private async Task MakeDueAsync(Guid experiment) =>
        Assert.Equal(1, await ExecuteAsync("update experiments set next_fire_at = now() - interval '1 second' where id = @experiment", new { experiment }));

    private Task<DateTime> NextFireAtAsync(Guid experiment) =>
        ScalarAsync<DateTime>("select next_fire_at from experiments where id = @experiment", new { experiment });

    private Task<int> SkippedFiringsAsync(Guid experiment) =>
        ScalarAsync<int>("select skipped_firings from experiments where id = @experiment", new { experiment });
}
