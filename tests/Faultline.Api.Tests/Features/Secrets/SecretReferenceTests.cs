using System.Net;
using System.Text.Json;

namespace Faultline.Api.Tests.Features.Secrets;

/// <summary>
/// Experiments reference secrets by name; the engine resolves them for the provider call only. The http probe
/// sends the secret as a header to a loopback endpoint that records what it received, and the value must be
/// nowhere else: not in any answer, event, stored row or log line.
/// </summary>
public sealed class SecretReferenceTests(PostgresServer postgres) : ApiTest(postgres)
{
    private const string Value = "sk-live-7d41e0c2-only-the-probe-sees-this";

    private readonly CapturedLogs _logs = new();

    protected override CapturedLogs? Logs => _logs;

    [Fact]
    public async Task A_run_sends_the_resolved_secret_to_the_provider_and_nowhere_else()
    {
        var team = await CreateTeamAsync(Owner, "payments");
        Assert.Equal(HttpStatusCode.Created, (await SecretEndpointsTests.PutAsync(Owner, team, "probe-token", Value)).StatusCode);
        await using var health = await HealthEndpoint.StartAsync();

        var createResponse = await Owner.SendRawAsync(HttpMethod.Post, "/api/v1/experiments", Experiment("with-secret", "payments", health.Url, "probe-token"), "application/yaml");
        var createText = await createResponse.Content.ReadAsStringAsync(Ct);
        Assert.True(createResponse.StatusCode == HttpStatusCode.Created, createText);
        var experiment = JsonDocument.Parse(createText).RootElement.GetProperty("id").GetGuid();

        var runId = await Owner.StartRunAsync(experiment);
        var run = await Owner.WaitForRunAsync(runId, TimeSpan.FromSeconds(30));
        Assert.Equal("passed", run.GetProperty("verdict").GetString());

        // The provider got the value: the endpoint saw it on every probe request.
        var received = health.ReceivedHeader("X-Api-Key");
        Assert.NotEmpty(received);
        Assert.All(received, value => Assert.Equal(Value, value));

        // Nothing the API answers carries it.
        var answers = new List<string>
        {
            createText,
            await Owner.GetStringAsync(new Uri($"/api/v1/experiments/{experiment}", UriKind.Relative), Ct),
            await Owner.GetStringAsync(new Uri($"/api/v1/runs/{runId}", UriKind.Relative), Ct),
            await Owner.GetStringAsync(new Uri($"/api/v1/runs/{runId}/events", UriKind.Relative), Ct),
            await Owner.GetStringAsync(new Uri($"/api/v1/teams/{team}/secrets", UriKind.Relative), Ct),
            await Owner.GetStringAsync(new Uri("/api/v1/audit-events", UriKind.Relative), Ct),
        };
        var dryRun = await Owner.PostAsync(new Uri($"/api/v1/experiments/{experiment}/dry-run", UriKind.Relative), null, Ct);
        answers.Add(await dryRun.Content.ReadAsStringAsync(Ct));
        Assert.Equal(HttpStatusCode.OK, dryRun.StatusCode);
        Assert.All(answers, answer => Assert.DoesNotContain(Value, answer, StringComparison.Ordinal));

        // The experiment and the run keep the reference, never the value.
        Assert.Contains("probe-token", answers[1], StringComparison.Ordinal);
        Assert.Equal(0, await Server.ScalarAsync<long>(
            $"""
            select (select count(*) from experiments where source_text like '%{Value}%' or spec::text like '%{Value}%')
                 + (select count(*) from runs where spec::text like '%{Value}%' or coalesce(evidence::text, '') like '%{Value}%' or coalesce(verdict_reason, '') like '%{Value}%')
                 + (select count(*) from run_events where message like '%{Value}%' or data::text like '%{Value}%')
            """));

        // And no log line, at any level down to Debug, mentions it.
        Assert.NotEmpty(_logs.Lines);
        Assert.DoesNotContain(_logs.Lines, line => line.Contains(Value, StringComparison.Ordinal));
    }

    [Fact]
    public async Task An_experiment_referencing_a_missing_secret_is_refused_with_422_at_the_reference()
    {
        await CreateTeamAsync(Owner, "checkout");
        await using var health = await HealthEndpoint.StartAsync();

        var response = await Owner.SendRawAsync(HttpMethod.Post, "/api/v1/experiments", Experiment("missing-secret", "checkout", health.Url, "no-such-token"), "application/yaml");
        var body = await response.ReadJsonAsync();

        AssertProblem(body, response, HttpStatusCode.UnprocessableEntity, "validation");
        var error = body.GetProperty("errors").GetProperty("$.spec.steadyState[0].config.headers['X-Api-Key']");
        Assert.Contains("no-such-token", error[0].GetString(), StringComparison.Ordinal);
        Assert.Equal(0, await Server.ScalarAsync<long>("select count(*) from experiments where name = 'missing-secret'"));

        var validate = await Owner.SendRawAsync(HttpMethod.Post, "/api/v1/experiments/validate", Experiment("missing-secret", "checkout", health.Url, "no-such-token"), "application/yaml");
        Assert.Equal(HttpStatusCode.UnprocessableEntity, validate.StatusCode);
    }

    [Fact]
    public async Task Another_teams_secret_does_not_resolve()
    {
        var owning = await CreateTeamAsync(Owner, "owning");
        await CreateTeamAsync(Owner, "borrowing");
        Assert.Equal(HttpStatusCode.Created, (await SecretEndpointsTests.PutAsync(Owner, owning, "shared-token", Value)).StatusCode);
        await using var health = await HealthEndpoint.StartAsync();

        var response = await Owner.SendRawAsync(HttpMethod.Post, "/api/v1/experiments", Experiment("borrower", "borrowing", health.Url, "shared-token"), "application/yaml");
        var body = await response.ReadJsonAsync();

        AssertProblem(body, response, HttpStatusCode.UnprocessableEntity, "validation");
        Assert.True(body.GetProperty("errors").TryGetProperty("$.spec.steadyState[0].config.headers['X-Api-Key']", out _), body.ToString());
        Assert.DoesNotContain(Value, body.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_secret_deleted_after_the_experiment_was_stored_makes_the_probe_unreachable_and_nothing_is_injected()
    {
        var team = await CreateTeamAsync(Owner, "deleting");
        Assert.Equal(HttpStatusCode.Created, (await SecretEndpointsTests.PutAsync(Owner, team, "short-lived", Value)).StatusCode);
        await using var health = await HealthEndpoint.StartAsync();
        var experiment = await Owner.CreateExperimentAsync(Experiment("orphaned", "deleting", health.Url, "short-lived"));
        Assert.Equal(HttpStatusCode.NoContent, (await Owner.DeleteAsync(new Uri($"/api/v1/teams/{team}/secrets/short-lived", UriKind.Relative), Ct)).StatusCode);

        var run = await Owner.WaitForRunAsync(await Owner.StartRunAsync(experiment), TimeSpan.FromSeconds(30));

        Assert.Equal("error", run.GetProperty("verdict").GetString());
        Assert.Empty(run.GetProperty("faults").EnumerateArray());
        var sample = Assert.Single(await Owner.EventsAsync(run.GetProperty("id").GetGuid()), e => e.GetProperty("type").GetString() == "probe.sample");
        Assert.True(sample.GetProperty("data").GetProperty("providerFailed").GetBoolean());
        Assert.Contains("secret 'short-lived'", sample.GetProperty("data").GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Contains("does not exist", sample.GetProperty("data").GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Empty(health.ReceivedHeader("X-Api-Key"));
    }

    [Fact]
    public async Task References_in_fault_parameters_are_refused_since_they_would_be_stored_resolved()
    {
        await CreateTeamAsync(Owner, "params");
        await using var health = await HealthEndpoint.StartAsync();
        var yaml = Experiment("in-params", "params", health.Url, "token").Replace("params: {}", "params: { note: { $secret: token } }", StringComparison.Ordinal);

        var response = await Owner.SendRawAsync(HttpMethod.Post, "/api/v1/experiments", yaml, "application/yaml");
        var body = await response.ReadJsonAsync();

        AssertProblem(body, response, HttpStatusCode.BadRequest, "validation");
        Assert.True(body.GetProperty("errors").TryGetProperty("$.spec.method[0].params.note", out _), body.ToString());
    }

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static string Experiment(string name, string team, Uri health, string secret) => $$"""
        apiVersion: faultline.dev/v1
        kind: Experiment
        metadata: { name: {{name}}, team: {{team}} }
        spec:
          hypothesis: The service stays healthy, asked with its API key, while a noop fault is in effect.
          steadyState:
            - name: health
              provider: http
              query: success_ratio
              config: { url: "{{health}}", timeout: 2s, headers: { X-Api-Key: { $secret: {{secret}} } } }
              tolerance: { greaterThanOrEqual: 1 }
          method:
            - fault: noop
              selector: { targets: [noop/a] }
              mode: all
              params: {}
              duration: 300ms
        """;
}
