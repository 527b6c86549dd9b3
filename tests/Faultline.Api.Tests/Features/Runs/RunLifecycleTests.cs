using Microsoft.Extensions.DependencyInjection;
using System.Text.Json;

namespace Faultline.Api.Tests.Features.Runs;

public sealed class RunLifecycleTests(PostgresServer postgres) : ApiTest(postgres)
{
    [Fact]
    public async Task A_run_goes_through_the_four_steps_and_passes_with_every_fault_removed()
    {
        await using var health = await HealthEndpoint.StartAsync();
        var experiment = await Owner.CreateExperimentAsync(RunApi.NoopExperiment("four-steps", health.Url, duration: "500ms", targets: "[noop/a, noop/b]"));

        var runId = await Owner.StartRunAsync(experiment);
        var run = await Owner.WaitForRunAsync(runId, TimeSpan.FromSeconds(30));

        Assert.Equal("passed", run.GetProperty("verdict").GetString());
        Assert.Equal("completed", run.GetProperty("state").GetString());
        var faults = run.GetProperty("faults").EnumerateArray().ToList();
        Assert.Equal(["noop/a", "noop/b"], faults.Select(f => f.GetProperty("target").GetString()).Order());
        Assert.All(faults, fault =>
        {
            Assert.Equal("removed", fault.GetProperty("state").GetString());
            Assert.Contains("marker", fault.GetProperty("verifiedEvidence").GetString());
            Assert.Contains("verified absent", fault.GetProperty("removalEvidence").GetString());
            Assert.True(fault.GetProperty("removedAt").GetDateTimeOffset() > fault.GetProperty("injectedAt").GetDateTimeOffset());
        });

        var events = await Owner.EventsAsync(runId);
        Assert.Equal(
            ["checking-steady-state", "injecting", "observing", "rolling-back", "verifying-recovery", "completed"],
            RunApi.States(events));
        var types = events.Select(e => e.GetProperty("type").GetString()).ToList();
        Assert.Equal(2, types.Count(t => t == "fault.injected"));
        Assert.Equal(2, types.Count(t => t == "fault.removed"));
        Assert.Contains("probe.sample", types);
        Assert.Equal("verdict", types[^1]);

        // Nothing left on the targets: the injector's own leftover listing finds no marker.
        var noop = Server.Services.GetRequiredService<Engine.Plugins.PluginCatalog>().FindInjector("noop")!;
        foreach (var target in new[] { "a", "b" })
        {
            Assert.Empty(await noop.ListLeftoversAsync(Sdk.Targets.Target.Of("noop", target), TestContext.Current.CancellationToken));
        }

        // The platform counts it too.
        var metrics = await Owner.GetStringAsync(new Uri("/metrics", UriKind.Relative), TestContext.Current.CancellationToken);
        Assert.Contains(metrics.Split('\n'), line => line.StartsWith("faultline_engine_runs_completed_total{", StringComparison.Ordinal) && line.Contains("verdict=\"passed\"", StringComparison.Ordinal));
        Assert.Contains(metrics.Split('\n'), line => line.StartsWith("faultline_engine_faults_removed_total{", StringComparison.Ordinal) && line.Contains("injector=\"noop\"", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_steady_state_that_does_not_hold_before_injection_injects_nothing()
    {
        await using var health = await HealthEndpoint.StartAsync();
        health.Healthy = false;
        var experiment = await Owner.CreateExperimentAsync(RunApi.NoopExperiment("unsteady", health.Url));

        var run = await Owner.WaitForRunAsync(await Owner.StartRunAsync(experiment), TimeSpan.FromSeconds(30));

        Assert.Equal("error", run.GetProperty("verdict").GetString());
        Assert.Contains("did not hold before injection", run.GetProperty("verdictReason").GetString());
        Assert.Empty(run.GetProperty("faults").EnumerateArray());
    }

    [Fact]
    public async Task A_breached_guardrail_aborts_and_rolls_back()
    {
        await using var health = await HealthEndpoint.StartAsync();
        var experiment = await Owner.CreateExperimentAsync(RunApi.NoopExperiment("guarded", health.Url, duration: "60s", guardrailEvery: "200ms"));
        var runId = await Owner.StartRunAsync(experiment);
        await Owner.WaitForRunAsync(runId, TimeSpan.FromSeconds(30), run => run.GetProperty("state").GetString() == "observing");

        health.Healthy = false;
        var run = await Owner.WaitForRunAsync(runId, TimeSpan.FromSeconds(30));

        Assert.Equal("aborted", run.GetProperty("verdict").GetString());
        Assert.Equal("guardrail", run.GetProperty("abortCause").GetString());
        Assert.Contains("health-guard", run.GetProperty("verdictReason").GetString());
        Assert.All(run.GetProperty("faults").EnumerateArray(), fault => Assert.Equal("removed", fault.GetProperty("state").GetString()));
        var samples = (await Owner.EventsAsync(runId)).Where(e => e.GetProperty("type").GetString() == "guardrail.sample").ToList();
        var breach = samples.Last();
        Assert.False(breach.GetProperty("data").GetProperty("held").GetBoolean());
        Assert.Equal(0, breach.GetProperty("data").GetProperty("value").GetDouble());
    }

    [Fact]
    public async Task A_user_abort_rolls_back_and_closes_the_run_as_aborted()
    {
        await using var health = await HealthEndpoint.StartAsync();
        var experiment = await Owner.CreateExperimentAsync(RunApi.NoopExperiment("aborted", health.Url, duration: "60s"));
        var runId = await Owner.StartRunAsync(experiment);
        await Owner.WaitForRunAsync(runId, TimeSpan.FromSeconds(30), run => run.GetProperty("state").GetString() == "observing");

        var response = await Owner.PostJsonAsync($"/api/v1/runs/{runId}/abort", new { reason = "enough" });
        Assert.Equal(System.Net.HttpStatusCode.Accepted, response.StatusCode);
        var run = await Owner.WaitForRunAsync(runId, TimeSpan.FromSeconds(10));

        Assert.Equal("aborted", run.GetProperty("verdict").GetString());
        Assert.Equal("user", run.GetProperty("abortCause").GetString());
        Assert.Contains("enough", run.GetProperty("verdictReason").GetString());
        Assert.All(run.GetProperty("faults").EnumerateArray(), fault => Assert.Equal("removed", fault.GetProperty("state").GetString()));

        var again = await Owner.PostJsonAsync($"/api/v1/runs/{runId}/abort", new { });
        AssertProblem(await again.ReadJsonAsync(), again, System.Net.HttpStatusCode.Conflict, "conflict");
    }

    [Fact]
    public async Task A_fault_that_does_not_take_effect_is_an_error_never_a_pass()
    {
        await using var health = await HealthEndpoint.StartAsync();
        var experiment = await Owner.CreateExperimentAsync(RunApi.NoopExperiment("not-in-effect", health.Url, parameters: "{ failVerify: true }"));

        var run = await Owner.WaitForRunAsync(await Owner.StartRunAsync(experiment), TimeSpan.FromSeconds(30));

        Assert.Equal("error", run.GetProperty("verdict").GetString());
        Assert.Contains("not in effect", run.GetProperty("verdictReason").GetString());
        Assert.All(run.GetProperty("faults").EnumerateArray(), fault => Assert.Equal("removed", fault.GetProperty("state").GetString()));
    }

    [Fact]
    public async Task A_failed_inject_removes_its_leftovers_and_closes_the_run_with_the_reason()
    {
        await using var health = await HealthEndpoint.StartAsync();
        var experiment = await Owner.CreateExperimentAsync(RunApi.NoopExperiment("failing-inject", health.Url, parameters: "{ failInject: true }"));

        var run = await Owner.WaitForRunAsync(await Owner.StartRunAsync(experiment), TimeSpan.FromSeconds(30));

        Assert.Equal("error", run.GetProperty("verdict").GetString());
        Assert.Contains("inject on noop/a failed", run.GetProperty("verdictReason").GetString());
        var fault = Assert.Single(run.GetProperty("faults").EnumerateArray());
        Assert.Equal("removed", fault.GetProperty("state").GetString());
        Assert.Contains("rolled back 1 leftover", fault.GetProperty("removalEvidence").GetString(), StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task The_event_stream_replays_after_Last_Event_ID_and_ends_with_the_verdict()
    {
        await using var health = await HealthEndpoint.StartAsync();
        var experiment = await Owner.CreateExperimentAsync(RunApi.NoopExperiment("streamed", health.Url, duration: "300ms"));
        var runId = await Owner.StartRunAsync(experiment);

        var all = await ReadStreamAsync(runId, null);
        Assert.Equal("verdict", all[^1].Event);
        Assert.Equal(all.Select(e => e.Id).Order(), all.Select(e => e.Id));

        var resumed = await ReadStreamAsync(runId, all[2].Id);
        Assert.Equal(all.Skip(3).Select(e => e.Id), resumed.Select(e => e.Id));
    }

    private async Task<List<(long Id, string Event, JsonElement Data)>> ReadStreamAsync(Guid runId, long? lastEventId)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/api/v1/runs/{runId}/events");
        request.Headers.Accept.ParseAdd("text/event-stream");
        if (lastEventId is { } id)
        {
            request.Headers.TryAddWithoutValidation("Last-Event-ID", id.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }

        using var response = await Owner.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, TestContext.Current.CancellationToken);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(TestContext.Current.CancellationToken));
        var events = new List<(long, string, JsonElement)>();
        long currentId = 0;
        var currentEvent = "";
        while (await reader.ReadLineAsync(TestContext.Current.CancellationToken) is { } line)
        {
            if (line.StartsWith("id: ", StringComparison.Ordinal))
            {
                currentId = long.Parse(line[4..], System.Globalization.CultureInfo.InvariantCulture);
            }
            else if (line.StartsWith("event: ", StringComparison.Ordinal))
            {
                currentEvent = line[7..];
            }
            else if (line.StartsWith("data: ", StringComparison.Ordinal))
            {
                events.Add((currentId, currentEvent, JsonDocument.Parse(line[6..]).RootElement.Clone()));
            }
        }

        return events;
    }
}
