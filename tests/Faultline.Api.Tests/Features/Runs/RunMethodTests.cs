using System.Net;

namespace Faultline.Api.Tests.Features.Runs;

/// <summary>The method's shapes (sequence, parallel branches, pauses), dry runs, and two runs meeting on one target.</summary>
public sealed class RunMethodTests(PostgresServer postgres) : ApiTest(postgres)
{
    [Fact]
    public async Task Parallel_branches_and_pauses_run_side_by_side_and_every_fault_is_removed()
    {
        await using var health = await HealthEndpoint.StartAsync();
        var yaml = $$"""
            apiVersion: faultline.dev/v1
            kind: Experiment
            metadata: { name: branches }
            spec:
              hypothesis: Two faults at once are survivable.
              steadyState:
                - { name: health, provider: http, query: success_ratio, config: { url: "{{health.Url}}" }, tolerance: { greaterThanOrEqual: 1 } }
              method:
                - parallel:
                    - - { fault: noop, selector: { targets: [noop/left] }, duration: 600ms }
                    - - { pause: 200ms }
                      - { fault: noop, selector: { targets: [noop/right] }, duration: 600ms }
                - { pause: 100ms }
                - { fault: noop, selector: { targets: [noop/last] }, duration: 200ms }
            """;
        var experiment = await Owner.CreateExperimentAsync(yaml);

        var run = await Owner.WaitForRunAsync(await Owner.StartRunAsync(experiment), TimeSpan.FromSeconds(30));

        Assert.Equal("passed", run.GetProperty("verdict").GetString());
        var faults = run.GetProperty("faults").EnumerateArray().ToDictionary(f => f.GetProperty("target").GetString()!);
        Assert.Equal(["noop/last", "noop/left", "noop/right"], faults.Keys.Order());
        Assert.All(faults.Values, f => Assert.Equal("removed", f.GetProperty("state").GetString()));

        // The branches overlapped in time; the last step came after both were removed.
        var left = faults["noop/left"];
        var right = faults["noop/right"];
        Assert.True(right.GetProperty("injectedAt").GetDateTimeOffset() < left.GetProperty("removedAt").GetDateTimeOffset());
        // The right branch paused 200 ms first; the left one's own inject takes a little of that head start.
        Assert.True(right.GetProperty("injectedAt").GetDateTimeOffset() - left.GetProperty("injectedAt").GetDateTimeOffset() >= TimeSpan.FromMilliseconds(100));
        Assert.True(faults["noop/last"].GetProperty("injectedAt").GetDateTimeOffset() > right.GetProperty("removedAt").GetDateTimeOffset());
        Assert.Equal(2, (await Owner.EventsAsync(run.GetProperty("id").GetGuid())).Count(e => e.GetProperty("type").GetString() == "pause"));
    }

    [Fact]
    public async Task A_fault_on_a_target_another_run_holds_with_an_overlapping_claim_is_refused()
    {
        await using var health = await HealthEndpoint.StartAsync();
        var holder = await Owner.CreateExperimentAsync(RunApi.NoopExperiment("holder", health.Url, duration: "120s", targets: "[noop/shared]"));
        var latecomer = await Owner.CreateExperimentAsync(RunApi.NoopExperiment("latecomer", health.Url, duration: "1s", targets: "[noop/shared]"));
        var holding = await Owner.StartRunAsync(holder);
        await Owner.WaitForRunAsync(holding, TimeSpan.FromSeconds(30), r => r.GetProperty("state").GetString() == "observing");

        var refused = await Owner.WaitForRunAsync(await Owner.StartRunAsync(latecomer), TimeSpan.FromSeconds(30));

        Assert.Equal("error", refused.GetProperty("verdict").GetString());
        Assert.Contains("noop/shared already carries fault", refused.GetProperty("verdictReason").GetString());
        Assert.Contains(holding.ToString(), refused.GetProperty("verdictReason").GetString());
        Assert.Empty(refused.GetProperty("faults").EnumerateArray());
        Assert.Equal("observing", (await Owner.GetRunAsync(holding)).GetProperty("state").GetString());
    }

    [Fact]
    public async Task A_dry_run_resolves_targets_checks_policy_and_probes_and_injects_nothing()
    {
        await using var health = await HealthEndpoint.StartAsync();
        var experiment = await Owner.CreateExperimentAsync(RunApi.NoopExperiment("dry", health.Url, targets: "[noop/a, noop/b, noop/c]", mode: "fixed-percent\n      value: 50"));

        var response = await Owner.PostAsync(new Uri($"/api/v1/experiments/{experiment}/dry-run", UriKind.Relative), null, TestContext.Current.CancellationToken);
        var plan = await response.ReadJsonAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.True(plan.GetProperty("runnable").GetBoolean(), plan.ToString());
        var action = Assert.Single(plan.GetProperty("plan").GetProperty("actions").EnumerateArray());
        Assert.Equal(3, action.GetProperty("candidates").GetInt32());
        Assert.Single(action.GetProperty("targets").EnumerateArray());
        var probe = Assert.Single(plan.GetProperty("probes").EnumerateArray());
        Assert.Equal(1, probe.GetProperty("value").GetDouble());
        Assert.Equal(0, await Server.ScalarAsync<long>("select count(*) from runs"));
        Assert.Equal(0, await Server.ScalarAsync<long>("select count(*) from faults"));

        health.Healthy = false;
        var unhealthy = await (await Owner.PostAsync(new Uri($"/api/v1/experiments/{experiment}/dry-run", UriKind.Relative), null, TestContext.Current.CancellationToken)).ReadJsonAsync();
        Assert.False(unhealthy.GetProperty("runnable").GetBoolean());
        Assert.False(unhealthy.GetProperty("probes")[0].GetProperty("held").GetBoolean());
    }

    [Fact]
    public async Task A_run_that_cannot_run_is_refused_with_the_field_named()
    {
        await using var health = await HealthEndpoint.StartAsync();
        var experiment = await Owner.CreateExperimentAsync(RunApi.NoopExperiment("wrong-kind", health.Url, targets: "[widget/a]"));

        var response = await Owner.PostAsync(new Uri($"/api/v1/experiments/{experiment}/runs", UriKind.Relative), null, TestContext.Current.CancellationToken);
        var problem = await response.ReadJsonAsync();

        AssertProblem(problem, response, HttpStatusCode.UnprocessableEntity, "validation");
        Assert.True(problem.GetProperty("errors").TryGetProperty("$.spec.method[0].selector", out var errors), problem.ToString());
        Assert.Contains("widget/a", errors[0].GetString());
        Assert.Equal(0, await Server.ScalarAsync<long>("select count(*) from runs"));
    }
}
