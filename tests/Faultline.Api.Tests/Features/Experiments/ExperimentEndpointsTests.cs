using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using NJsonSchema;

namespace Faultline.Api.Tests.Features.Experiments;

public sealed class ExperimentEndpointsTests(PostgresServer postgres) : ApiTest(postgres)
{
    [Fact]
    public async Task The_design_brief_experiment_is_stored_as_written_and_normalized_with_no_warnings_since_its_injector_and_provider_are_installed()
    {
        var payments = await CreateTeamAsync(Owner, "payments");
        var response = await PostAsync(Owner, ExperimentDocumentsForTests.PaymentLatency);
        var body = await response.ReadJsonAsync();

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.Equal("faultline", body.GetProperty("sourceFormat").GetString());
        Assert.Equal(payments, body.GetProperty("teamId").GetGuid());
        Assert.Equal(ExperimentDocumentsForTests.PaymentLatency, body.GetProperty("source").GetString());
        var fault = body.GetProperty("spec").GetProperty("spec").GetProperty("method")[0];
        Assert.Equal("network.delay", fault.GetProperty("fault").GetString());
        Assert.Equal("300s", fault.GetProperty("duration").GetString());
        Assert.Equal("all", fault.GetProperty("mode").GetString());
        // network.delay (the network plugin) and the prometheus provider are both installed.
        Assert.Empty(body.GetProperty("warnings").EnumerateArray());

        var id = body.GetProperty("id").GetGuid();
        var read = await Owner.GetAsync($"/api/v1/experiments/{id}");
        Assert.Equal(HttpStatusCode.OK, read.StatusCode);
        Assert.Equal("\"1\"", read.Headers.ETag?.Tag);
        Assert.Equal(1L, await Server.ScalarAsync<long>($"select count(*) from audit_events where action = 'experiment.created' and resource_id = '{id}'"));
    }

    [Fact]
    public async Task The_seeds_network_chaos_is_accepted_unchanged_and_shows_its_translation()
    {
        var response = await PostAsync(Owner, ExperimentDocumentsForTests.SeedNetworkChaos);
        var body = await response.ReadJsonAsync();

        Assert.True(response.StatusCode == HttpStatusCode.Created, body.ToString());
        Assert.Equal("chaos-mesh", body.GetProperty("sourceFormat").GetString());
        var spec = body.GetProperty("spec").GetProperty("spec");
        var fault = spec.GetProperty("method")[0];
        Assert.Equal("network.delay", fault.GetProperty("fault").GetString());
        Assert.Equal("200ms", fault.GetProperty("params").GetProperty("latency").GetString());
        Assert.Equal("50ms", fault.GetProperty("params").GetProperty("jitter").GetString());
        Assert.Equal("payment-service", fault.GetProperty("selector").GetProperty("labels").GetProperty("app").GetString());
        Assert.Equal("300s", fault.GetProperty("duration").GetString());
        Assert.Equal("@every 10m", spec.GetProperty("schedule").GetProperty("cron").GetString());
        Assert.True(body.GetProperty("translation").GetProperty("mapping").GetArrayLength() >= 5);
    }

    [Fact]
    public async Task Parameters_of_an_installed_injector_are_checked_by_the_injector_with_the_path_in_the_spec()
    {
        var response = await PostAsync(Owner, ExperimentDocumentsForTests.PauseProcess("bad-params", "{ watchdog: maybe, signal: 9 }"));
        var body = await response.ReadJsonAsync();

        AssertProblem(body, response, HttpStatusCode.BadRequest, "validation");
        var errors = body.GetProperty("errors");
        Assert.True(errors.TryGetProperty("$.spec.method[0].params.watchdog", out _), body.ToString());
        Assert.True(errors.TryGetProperty("$.spec.method[0].params.signal", out _), body.ToString());
        Assert.Equal(0L, await Server.ScalarAsync<long>("select count(*) from experiments"));
    }

    [Fact]
    public async Task An_experiment_naming_a_provider_and_an_injector_that_are_not_installed_is_stored_with_a_warning_for_each()
    {
        var yaml = ExperimentDocumentsForTests.PaymentLatency
            .Replace("provider: prometheus", "provider: acme-metrics", StringComparison.Ordinal)
            .Replace("fault: network.delay", "fault: acme.brownout", StringComparison.Ordinal);
        await CreateTeamAsync(Owner, "payments");
        var response = await PostAsync(Owner, yaml);
        var body = await response.ReadJsonAsync();

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var warnings = body.GetProperty("warnings").EnumerateArray().Select(w => w.GetString()!).ToList();
        Assert.Contains(warnings, w => w.Contains("'acme-metrics'", StringComparison.Ordinal));
        Assert.Contains(warnings, w => w.Contains("'acme.brownout'", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_valid_experiment_with_an_installed_injector_has_no_warnings()
    {
        var response = await PostAsync(Owner, ExperimentDocumentsForTests.PauseProcess("pause-ok"));
        var body = await response.ReadJsonAsync();

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.Empty(body.GetProperty("warnings").EnumerateArray());
    }

    [Fact]
    public async Task Replace_needs_the_current_etag_and_delete_removes_it()
    {
        var created = await (await PostAsync(Owner, ExperimentDocumentsForTests.PauseProcess("replace-me"))).ReadJsonAsync();
        var id = created.GetProperty("id").GetGuid();

        var stale = await SendAsync(Owner, HttpMethod.Put, $"/api/v1/experiments/{id}", ExperimentDocumentsForTests.PauseProcess("replace-me", "{ watchdog: false }"), "\"7\"");
        Assert.Equal(HttpStatusCode.PreconditionFailed, stale.StatusCode);
        var replaced = await SendAsync(Owner, HttpMethod.Put, $"/api/v1/experiments/{id}", ExperimentDocumentsForTests.PauseProcess("replace-me", "{ watchdog: false }"), "\"1\"");
        Assert.Equal(HttpStatusCode.OK, replaced.StatusCode);
        Assert.False((await replaced.ReadJsonAsync()).GetProperty("spec").GetProperty("spec").GetProperty("method")[0].GetProperty("params").GetProperty("watchdog").GetBoolean());

        Assert.Equal(HttpStatusCode.NoContent, (await Owner.SendRawAsync(HttpMethod.Delete, $"/api/v1/experiments/{id}", null, ifMatch: "\"2\"")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await Owner.GetAsync($"/api/v1/experiments/{id}")).StatusCode);
    }

    [Fact]
    public async Task Validate_shows_the_normalized_experiment_without_storing_it()
    {
        var response = await SendAsync(Owner, HttpMethod.Post, "/api/v1/experiments/validate", ExperimentDocumentsForTests.SeedNetworkChaos);
        var body = await response.ReadJsonAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("faultline.dev/v1", body.GetProperty("spec").GetProperty("apiVersion").GetString());
        Assert.Equal(0L, await Server.ScalarAsync<long>("select count(*) from experiments"));
    }

    [Fact]
    public async Task Team_names_resolve_within_the_organization_and_team_keys_stay_in_their_team()
    {
        await CreateTeamAsync(Owner, "payments");
        var otherTeam = await CreateTeamAsync(Owner, "search");
        var (_, searchOperator) = await CreateKeyAsync(Owner, "search-operator", "operator", otherTeam);

        Assert.Equal(HttpStatusCode.Created, (await PostAsync(Owner, ExperimentDocumentsForTests.PauseProcess("for-payments", team: "payments"))).StatusCode);
        var unknown = await PostAsync(Owner, ExperimentDocumentsForTests.PauseProcess("for-nobody", team: "nobody"));
        Assert.True((await unknown.ReadJsonAsync()).GetProperty("errors").TryGetProperty("$.metadata.team", out _));

        var crossTeam = await PostAsync(Server.Client(searchOperator), ExperimentDocumentsForTests.PauseProcess("sneaky", team: "payments"));
        Assert.Equal(HttpStatusCode.BadRequest, crossTeam.StatusCode);
        var own = await (await PostAsync(Server.Client(searchOperator), ExperimentDocumentsForTests.PauseProcess("search-own"))).ReadJsonAsync();
        Assert.Equal(otherTeam, own.GetProperty("teamId").GetGuid());
        var visible = await (await Server.Client(searchOperator).GetAsync("/api/v1/experiments")).ReadJsonAsync();
        Assert.Equal(["search-own"], visible.GetProperty("items").EnumerateArray().Select(e => e.GetProperty("name").GetString()!).ToArray());
    }

    [Fact]
    public async Task Viewers_read_but_do_not_write_experiments_and_names_are_unique()
    {
        var (_, viewer) = await CreateKeyAsync(Owner, "viewer", "viewer");
        Assert.Equal(HttpStatusCode.Forbidden, (await PostAsync(Server.Client(viewer), ExperimentDocumentsForTests.PauseProcess("nope"))).StatusCode);

        Assert.Equal(HttpStatusCode.Created, (await PostAsync(Owner, ExperimentDocumentsForTests.PauseProcess("twice"))).StatusCode);
        var again = await PostAsync(Owner, ExperimentDocumentsForTests.PauseProcess("twice"));
        AssertProblem(await again.ReadJsonAsync(), again, HttpStatusCode.Conflict, "conflict");
    }

    [Fact]
    public async Task The_served_schema_accepts_the_brief_and_refuses_what_the_reader_refuses()
    {
        await CreateTeamAsync(Owner, "payments");
        var response = await Owner.GetAsync("/api/v1/experiments/schema");
        var schema = await JsonSchema.FromJsonAsync(await response.Content.ReadAsStringAsync(), TestContext.Current.CancellationToken);
        var brief = await (await SendAsync(Owner, HttpMethod.Post, "/api/v1/experiments/validate", ExperimentDocumentsForTests.PaymentLatency)).ReadJsonAsync();
        var briefJson = JsonSerializer.Serialize(Domain.Experiments.SpecDocument.Parse(ExperimentDocumentsForTests.PaymentLatency, new Domain.Validation.ValidationErrors()));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/schema+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Empty(schema.Validate(briefJson));
        Assert.Empty(schema.Validate(brief.GetProperty("spec").GetRawText()));
        Assert.NotEmpty(schema.Validate(briefJson.Replace("\"300s\"", "300", StringComparison.Ordinal)));
        Assert.NotEmpty(schema.Validate(briefJson.Replace("\"mode\":\"all\"", "\"mode\":\"sometimes\"", StringComparison.Ordinal)));
        Assert.NotEmpty(schema.Validate(briefJson.Replace("\"hypothesis\"", "\"hypotesis\"", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task An_idempotent_retry_of_a_yaml_post_creates_once()
    {
        var request1 = Request(HttpMethod.Post, "/api/v1/experiments", ExperimentDocumentsForTests.PauseProcess("once"));
        request1.Headers.Add("Idempotency-Key", "exp-1");
        var request2 = Request(HttpMethod.Post, "/api/v1/experiments", ExperimentDocumentsForTests.PauseProcess("once"));
        request2.Headers.Add("Idempotency-Key", "exp-1");
        var different = Request(HttpMethod.Post, "/api/v1/experiments", ExperimentDocumentsForTests.PauseProcess("other"));
        different.Headers.Add("Idempotency-Key", "exp-1");

        Assert.Equal(HttpStatusCode.Created, (await Owner.SendAsync(request1)).StatusCode);
        var replay = await Owner.SendAsync(request2);
        Assert.Equal(HttpStatusCode.Created, replay.StatusCode);
        Assert.True(replay.Headers.Contains("Idempotent-Replayed"));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, (await Owner.SendAsync(different)).StatusCode);
        Assert.Equal(1L, await Server.ScalarAsync<long>("select count(*) from experiments"));
    }

    private static Task<HttpResponseMessage> PostAsync(HttpClient client, string yaml) => SendAsync(client, HttpMethod.Post, "/api/v1/experiments", yaml);

    private static Task<HttpResponseMessage> SendAsync(HttpClient client, HttpMethod method, string path, string yaml, string? ifMatch = null)
    {
        var request = Request(method, path, yaml);
        if (ifMatch is not null)
        {
            request.Headers.TryAddWithoutValidation("If-Match", ifMatch);
        }

        return client.SendAsync(request);
    }

    private static HttpRequestMessage Request(HttpMethod method, string path, string yaml) => new(method, path)
    {
        Content = new StringContent(yaml, new UTF8Encoding(false), new MediaTypeHeaderValue("application/yaml")),
    };
}
