using System.Text.Json;

namespace Faultline.Api.Tests.Features.Runs;

/// <summary>A node drives at most its cap of runs at once; the rest wait, pending, for a free slot.</summary>
public sealed class RunCapacityTests(PostgresServer postgres) : ApiTest(postgres)
{
    protected override Engine.Runs.EngineOptions? Engine => TestServer.FastEngine with { MaxConcurrentRuns = 1 };

    [Fact]
    public async Task A_node_with_a_cap_of_one_drives_runs_one_after_the_other()
    {
        await using var health = await HealthEndpoint.StartAsync();
        var runs = new List<Guid>();
        for (var i = 0; i < 3; i++)
        {
            var experiment = await Owner.CreateExperimentAsync(RunApi.NoopExperiment($"capped-{i}", health.Url, duration: "400ms", targets: $"[noop/t{i}]"));
            runs.Add(await Owner.StartRunAsync(experiment));
        }

        var completed = new List<JsonElement>();
        foreach (var run in runs)
        {
            completed.Add(await Owner.WaitForRunAsync(run, TimeSpan.FromSeconds(60)));
        }

        Assert.All(completed, run => Assert.Equal("passed", run.GetProperty("verdict").GetString()));
        var ordered = completed.OrderBy(run => run.GetProperty("startedAt").GetDateTimeOffset()).ToList();
        for (var i = 1; i < ordered.Count; i++)
        {
            Assert.True(
                ordered[i].GetProperty("startedAt").GetDateTimeOffset() >= ordered[i - 1].GetProperty("finishedAt").GetDateTimeOffset(),
                $"run {i} was claimed before run {i - 1} finished although the node's cap is one");
        }
    }
}
