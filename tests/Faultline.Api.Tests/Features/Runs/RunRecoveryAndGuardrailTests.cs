namespace Faultline.Api.Tests.Features.Runs;

/// <summary>
/// "Recovers within T after rollback" and guardrails over a window relative to the baseline, through real runs:
/// the health endpoint fails exactly the requests the test names (request 1 is the baseline sample, request 2
/// the sample during the fault, 3 and on the recovery samples), so nothing races the engine.
/// </summary>
public sealed class RunRecoveryAndGuardrailTests(PostgresServer postgres) : ApiTest(postgres)
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task A_system_that_recovers_within_the_experiments_window_passes_and_the_verdict_says_how_long_it_took()
    {
        await using var health = await HealthEndpoint.StartAsync();
        health.FailRequests(3, 5);
        var experiment = await Owner.CreateExperimentAsync(WithRecovery(RunApi.NoopExperiment("recovers", health.Url, duration: "300ms"), "30s"));

        var run = await Owner.WaitForRunAsync(await Owner.StartRunAsync(experiment), Patience);

        Assert.Equal("passed", run.GetProperty("verdict").GetString());
        var reason = run.GetProperty("verdictReason").GetString()!;
        Assert.Matches(@"recovered after rollback in \d+\.\d s \(allowed 30 s\)", reason);
        var recovery = (await Owner.EventsAsync(run.GetProperty("id").GetGuid()))
            .Where(e => e.GetProperty("type").GetString() == "probe.sample" && e.GetProperty("data").GetProperty("phase").GetString() == "recovery")
            .Select(e => e.GetProperty("data").GetProperty("verdict").GetString())
            .ToList();
        Assert.Equal(["breached", "breached", "breached", "held"], recovery);
    }

    [Fact]
    public async Task A_system_that_does_not_recover_within_the_experiments_window_refutes_the_hypothesis()
    {
        await using var health = await HealthEndpoint.StartAsync();
        health.FailRequests(3);
        var experiment = await Owner.CreateExperimentAsync(WithRecovery(RunApi.NoopExperiment("stays-down", health.Url, duration: "300ms"), "2s"));

        var run = await Owner.WaitForRunAsync(await Owner.StartRunAsync(experiment), Patience);

        Assert.Equal("failed", run.GetProperty("verdict").GetString());
        Assert.Contains("did not recover within 2.0 s after rollback", run.GetProperty("verdictReason").GetString());
        Assert.All(run.GetProperty("faults").EnumerateArray(), fault => Assert.Equal("removed", fault.GetProperty("state").GetString()));
    }

    [Fact]
    public async Task A_guardrail_relative_to_its_baseline_over_a_window_aborts_when_the_average_falls_and_every_sample_names_its_threshold()
    {
        await using var health = await HealthEndpoint.StartAsync();
        var yaml = RunApi.NoopExperiment("relative-guard", health.Url, duration: "60s") + """

              guardrails:
                - name: success-vs-baseline
                  provider: http
                  query: success_ratio
                  config: { url: "HEALTH", timeout: 2s, requests: 4 }
                  window: 2s
                  aggregation: avg
                  tolerance: { maxDecreasePercent: 50 }
                  every: 200ms
            """.Replace("HEALTH", health.Url.ToString(), StringComparison.Ordinal);
        var runId = await Owner.StartRunAsync(await Owner.CreateExperimentAsync(yaml));
        await Owner.WaitForRunAsync(runId, Patience, run => run.GetProperty("state").GetString() == "observing");

        health.Healthy = false;
        var run = await Owner.WaitForRunAsync(runId, Patience);

        Assert.Equal("aborted", run.GetProperty("verdict").GetString());
        Assert.Equal("guardrail", run.GetProperty("abortCause").GetString());
        var samples = (await Owner.EventsAsync(runId)).Where(e => e.GetProperty("type").GetString() == "guardrail.sample").Select(e => e.GetProperty("data")).ToList();
        var baseline = samples[0];
        Assert.Equal("baseline", baseline.GetProperty("phase").GetString());
        Assert.Equal(1, baseline.GetProperty("value").GetDouble());
        var breach = samples[^1];
        Assert.Equal("breached", breach.GetProperty("verdict").GetString());
        Assert.Equal("at most 50% below baseline 1", breach.GetProperty("threshold").GetString());
        Assert.True(breach.GetProperty("value").GetDouble() < 0.5, breach.ToString());
        Assert.All(run.GetProperty("faults").EnumerateArray(), fault => Assert.Equal("removed", fault.GetProperty("state").GetString()));
    }

    [Fact]
    public async Task Recovery_and_guardrail_windows_are_validated_field_by_field()
    {
        await using var health = await HealthEndpoint.StartAsync();
        var yaml = WithRecovery(RunApi.NoopExperiment("bad-windows", health.Url), "2h") + """

              guardrails:
                - name: g
                  provider: http
                  query: success_ratio
                  config: { url: "http://127.0.0.1:1/" }
                  aggregation: p99
                  tolerance: { greaterThan: 0 }
            """;
        var response = await Owner.SendRawAsync(HttpMethod.Post, "/api/v1/experiments", yaml, "application/yaml");
        var problem = await response.ReadJsonAsync();

        AssertProblem(problem, response, System.Net.HttpStatusCode.BadRequest, "validation");
        var fields = problem.GetProperty("errors").EnumerateObject().Select(e => e.Name).ToList();
        Assert.Contains("$.spec.recovery.within", fields);
        Assert.Contains("$.spec.guardrails[0].aggregation", fields);
    }

    private static string WithRecovery(string yaml, string within) => yaml + $"""

          recovery: {"{"} within: {within} {"}"}
        """;
}
