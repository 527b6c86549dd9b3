namespace Faultline.Api.Tests.Features.Runs;

/// <summary>
/// Guardrails measured through the real Prometheus (Debian's binary, scraping an in-test target every second):
/// a value the test changes at the source is seen by Prometheus, then by the guardrail, which aborts and rolls
/// back; and Prometheus going away mid-run is judged by the guardrail's onProviderError.
/// </summary>
public sealed class RunPrometheusGuardrailTests(PostgresServer postgres) : ApiTest(postgres)
{
    private const string Metric = "checkout_error_ratio";
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_breach_seen_through_real_Prometheus_aborts_the_running_fault_and_rolls_it_back()
    {
        var binary = PrometheusServer.RequireBinary();
        await using var target = await ScrapeTarget.StartAsync(Token);
        target.Set(Metric, 0.01);
        await using var prometheus = PrometheusServer.Start(binary, target.BaseAddress, ScrapeTarget.MetricsPath);
        await prometheus.WaitForValueAsync(Metric, 0.01, Patience, Token);
        await using var health = await HealthEndpoint.StartAsync();
        var runId = await Owner.StartRunAsync(await Owner.CreateExperimentAsync(Guarded(health.Url, prometheus.Address, "120s", onProviderError: null)));
        await Owner.WaitForRunAsync(runId, Patience, run => run.GetProperty("state").GetString() == "observing");

        target.Set(Metric, 0.2);
        var run = await Owner.WaitForRunAsync(runId, Patience);

        Assert.Equal("aborted", run.GetProperty("verdict").GetString());
        Assert.Equal("guardrail", run.GetProperty("abortCause").GetString());
        Assert.Contains("error-ratio", run.GetProperty("verdictReason").GetString());
        Assert.All(run.GetProperty("faults").EnumerateArray(), fault => Assert.Equal("removed", fault.GetProperty("state").GetString()));
        var samples = await GuardrailSamplesAsync(runId);
        Assert.Equal(0.01, samples[0].GetProperty("value").GetDouble());
        var breach = samples[^1];
        Assert.Equal("breached", breach.GetProperty("verdict").GetString());
        Assert.Equal(0.2, breach.GetProperty("value").GetDouble());
        Assert.Equal("< 0.05", breach.GetProperty("threshold").GetString());
        Assert.All(samples.SkipLast(1), sample => Assert.Equal("held", sample.GetProperty("verdict").GetString()));
    }

    [Fact]
    public async Task Prometheus_going_away_mid_run_aborts_by_default()
    {
        var binary = PrometheusServer.RequireBinary();
        await using var target = await ScrapeTarget.StartAsync(Token);
        target.Set(Metric, 0.01);
        var prometheus = PrometheusServer.Start(binary, target.BaseAddress, ScrapeTarget.MetricsPath);
        await prometheus.WaitForValueAsync(Metric, 0.01, Patience, Token);
        await using var health = await HealthEndpoint.StartAsync();
        var runId = await Owner.StartRunAsync(await Owner.CreateExperimentAsync(Guarded(health.Url, prometheus.Address, "120s", onProviderError: null)));
        await Owner.WaitForRunAsync(runId, Patience, run => run.GetProperty("state").GetString() == "observing");

        await prometheus.DisposeAsync();
        var run = await Owner.WaitForRunAsync(runId, Patience);

        Assert.Equal("aborted", run.GetProperty("verdict").GetString());
        Assert.Equal("guardrail", run.GetProperty("abortCause").GetString());
        Assert.Contains("prometheus failed", run.GetProperty("verdictReason").GetString());
        Assert.Contains("onProviderError: abort", run.GetProperty("verdictReason").GetString());
        Assert.All(run.GetProperty("faults").EnumerateArray(), fault => Assert.Equal("removed", fault.GetProperty("state").GetString()));
        var last = (await GuardrailSamplesAsync(runId))[^1];
        Assert.Equal("unreachable", last.GetProperty("verdict").GetString());
        Assert.Equal(System.Text.Json.JsonValueKind.Null, last.GetProperty("value").ValueKind);
    }

    [Fact]
    public async Task Prometheus_going_away_mid_run_is_recorded_and_ignored_when_the_guardrail_says_so()
    {
        var binary = PrometheusServer.RequireBinary();
        await using var target = await ScrapeTarget.StartAsync(Token);
        target.Set(Metric, 0.01);
        var prometheus = PrometheusServer.Start(binary, target.BaseAddress, ScrapeTarget.MetricsPath);
        await prometheus.WaitForValueAsync(Metric, 0.01, Patience, Token);
        await using var health = await HealthEndpoint.StartAsync();
        var runId = await Owner.StartRunAsync(await Owner.CreateExperimentAsync(Guarded(health.Url, prometheus.Address, "4s", onProviderError: "ignore")));
        await Owner.WaitForRunAsync(runId, Patience, run => run.GetProperty("state").GetString() == "observing");

        await prometheus.DisposeAsync();
        var run = await Owner.WaitForRunAsync(runId, Patience);

        Assert.Equal("passed", run.GetProperty("verdict").GetString());
        var samples = await GuardrailSamplesAsync(runId);
        Assert.Contains(samples, sample => sample.GetProperty("verdict").GetString() == "unreachable-ignored");
        Assert.Contains("ignored (onProviderError: ignore)", samples[^1].GetProperty("detail").GetString());
    }

    private async Task<List<System.Text.Json.JsonElement>> GuardrailSamplesAsync(Guid runId) =>
        [.. (await Owner.EventsAsync(runId)).Where(e => e.GetProperty("type").GetString() == "guardrail.sample").Select(e => e.GetProperty("data"))];

    private static string Guarded(Uri health, Uri prometheus, string duration, string? onProviderError) =>
        RunApi.NoopExperiment($"prometheus-guard-{Guid.NewGuid():N}"[..30], health, duration: duration) + $$"""

              guardrails:
                - name: error-ratio
                  provider: prometheus
                  query: {{Metric}}
                  config: { url: "{{prometheus}}", timeout: 1s }
                  tolerance: { lessThan: 0.05 }
                  every: 200ms{{(onProviderError is null ? "" : $"\n      onProviderError: {onProviderError}")}}
            """;
}
