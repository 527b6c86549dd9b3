using System.Net;
using System.Text.Json;
using Xunit;

namespace Faultline.Testing;

/// <summary>Experiments and runs through the REST API, as a user (or the CLI) drives them.</summary>
public static class RunApi
{
    public static async Task<Guid> CreateExperimentAsync(this HttpClient client, string yaml)
    {
        var response = await client.SendRawAsync(HttpMethod.Post, "/api/v1/experiments", yaml, "application/yaml");
        var body = await response.ReadJsonAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Created, body.ToString());
        return body.GetProperty("id").GetGuid();
    }

    public static async Task<Guid> StartRunAsync(this HttpClient client, Guid experimentId)
    {
        var response = await client.PostAsync(new Uri($"/api/v1/experiments/{experimentId}/runs", UriKind.Relative), null);
        var body = await response.ReadJsonAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Accepted, body.ToString());
        return body.GetProperty("id").GetGuid();
    }

    public static async Task<JsonElement> GetRunAsync(this HttpClient client, Guid runId)
    {
        var response = await client.GetAsync(new Uri($"/api/v1/runs/{runId}", UriKind.Relative));
        var body = await response.ReadJsonAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, body.ToString());
        return body;
    }

    /// <summary>Polls the run until <paramref name="until"/> holds (by default: it has a verdict).</summary>
    public static async Task<JsonElement> WaitForRunAsync(this HttpClient client, Guid runId, TimeSpan timeout, Func<JsonElement, bool>? until = null)
    {
        until ??= run => run.GetProperty("verdict").ValueKind == JsonValueKind.String;
        JsonElement last = default;
        await Poll.UntilAsync(async () => until(last = await client.GetRunAsync(runId)), timeout, $"run {runId} reached the expected point (last seen: {(last.ValueKind == JsonValueKind.Undefined ? "nothing" : last.GetProperty("state").GetString())})");
        return last;
    }

    public static async Task<IReadOnlyList<JsonElement>> EventsAsync(this HttpClient client, Guid runId)
    {
        var response = await client.GetAsync(new Uri($"/api/v1/runs/{runId}/events", UriKind.Relative));
        var body = await response.ReadJsonAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, body.ToString());
        return [.. body.EnumerateArray()];
    }

    /// <summary>The state names the run moved through, in order.</summary>
    public static IReadOnlyList<string> States(IReadOnlyList<JsonElement> events) =>
        [.. events.Where(e => e.GetProperty("type").GetString() == "state").Select(e => e.GetProperty("data").GetProperty("to").GetString()!)];

    /// <summary>A noop experiment on explicit targets with an http steady-state probe and an optional guardrail.</summary>
    public static string NoopExperiment(
        string name, Uri health, string duration = "1s", string targets = "[noop/a]", string? team = null, string parameters = "{}", string? guardrailEvery = null,
        string? schedule = null, string mode = "all")
    {
        var teamLine = team is null ? "" : $", team: {team}";
        var guardrail = guardrailEvery is null ? "" : $"""
              guardrails:
                - name: health-guard
                  provider: http
                  query: success_ratio
                  config: {"{"} url: "{health}", timeout: 2s {"}"}
                  tolerance: {"{"} greaterThanOrEqual: 1 {"}"}
                  every: {guardrailEvery}

            """;
        var scheduleBlock = schedule is null ? "" : $"""
              schedule: {schedule}

            """;
        return $"""
            apiVersion: faultline.dev/v1
            kind: Experiment
            metadata: {"{"} name: {name}{teamLine} {"}"}
            spec:
              hypothesis: The service stays healthy while a noop fault is in effect.
              steadyState:
                - name: health
                  provider: http
                  query: success_ratio
                  config: {"{"} url: "{health}", timeout: 2s {"}"}
                  tolerance: {"{"} greaterThanOrEqual: 1 {"}"}
            {guardrail}{scheduleBlock}  method:
                - fault: noop
                  selector: {"{"} targets: {targets} {"}"}
                  mode: {mode}
                  params: {parameters}
                  duration: {duration}
            """;
    }
}
