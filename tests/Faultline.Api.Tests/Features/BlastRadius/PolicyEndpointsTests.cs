using System.Net;
using System.Text.Json;

namespace Faultline.Api.Tests.Features.BlastRadius;

/// <summary>Every rule of a team's blast-radius policy refuses a run before anything is injected, naming the rule.</summary>
public sealed class PolicyEndpointsTests(PostgresServer postgres) : ApiTest(postgres)
{
    public static TheoryData<string, string, string> Rules => new()
    {
        // rule, policy, the fault's selector/duration that breaks it
        { "allowed-namespaces", """{"allowedNamespaces":["staging"]}""", "selector: { namespaces: [prod], targets: [noop/a] }\n      duration: 1s" },
        { "allowed-kinds", """{"allowedKinds":["pod"]}""", "selector: { targets: [noop/a] }\n      duration: 1s" },
        { "required-labels", """{"requiredLabels":{"env":"staging"}}""", "selector: { targets: [noop/a] }\n      duration: 1s" },
        { "protected-target", """{"protectedTargets":["noop/db-*"]}""", "selector: { targets: [noop/db-1] }\n      duration: 1s" },
        { "max-duration", """{"maxFaultDuration":"2s"}""", "selector: { targets: [noop/a] }\n      duration: 5s" },
        { "max-service-share", """{"maxSharePercentOfService":50}""", "selector: { labels: { app: pay }, targets: [noop/a, noop/b] }\n      duration: 1s" },
    };

    [Theory]
    [MemberData(nameof(Rules))]
    public async Task Each_rule_refuses_the_run_naming_itself_and_nothing_is_injected(string rule, string policy, string fault)
    {
        await using var health = await HealthEndpoint.StartAsync();
        var team = await CreateTeamAsync(Owner, "guarded");
        await PutPolicyAsync(team, policy);
        var experiment = await Owner.CreateExperimentAsync(Experiment($"breaks-{rule}", health.Url, fault));

        var response = await Owner.PostAsync(new Uri($"/api/v1/experiments/{experiment}/runs", UriKind.Relative), null, TestContext.Current.CancellationToken);
        var problem = await response.ReadJsonAsync();

        AssertProblem(problem, response, HttpStatusCode.UnprocessableEntity, "policy-violation");
        Assert.Contains(rule, problem.GetProperty("detail").GetString());
        Assert.Contains(problem.GetProperty("errors").EnumerateObject(), error => error.Value.EnumerateArray().Any(m => m.GetString()!.StartsWith($"[{rule}]", StringComparison.Ordinal)));
        Assert.Equal(0, await Server.ScalarAsync<long>("select count(*) from runs"));
        Assert.Equal(0, await Server.ScalarAsync<long>("select count(*) from faults"));
    }

    [Fact]
    public async Task The_concurrency_limit_counts_the_teams_runs_in_progress()
    {
        await using var health = await HealthEndpoint.StartAsync();
        var team = await CreateTeamAsync(Owner, "guarded");
        await PutPolicyAsync(team, """{"maxConcurrentRuns":1}""");
        var first = await Owner.CreateExperimentAsync(Experiment("first", health.Url, "selector: { targets: [noop/one] }\n      duration: 120s"));
        var second = await Owner.CreateExperimentAsync(Experiment("second", health.Url, "selector: { targets: [noop/two] }\n      duration: 1s"));
        var running = await Owner.StartRunAsync(first);
        await Owner.WaitForRunAsync(running, TimeSpan.FromSeconds(30), r => r.GetProperty("state").GetString() == "observing");

        var response = await Owner.PostAsync(new Uri($"/api/v1/experiments/{second}/runs", UriKind.Relative), null, TestContext.Current.CancellationToken);
        var problem = await response.ReadJsonAsync();
        AssertProblem(problem, response, HttpStatusCode.UnprocessableEntity, "policy-violation");
        Assert.Contains("max-concurrent-runs", problem.GetProperty("detail").GetString());

        await Owner.PostJsonAsync($"/api/v1/runs/{running}/abort", new { });
        await Owner.WaitForRunAsync(running, TimeSpan.FromSeconds(10));
        var accepted = await Owner.StartRunAsync(second);
        Assert.Equal("passed", (await Owner.WaitForRunAsync(accepted, TimeSpan.FromSeconds(30))).GetProperty("verdict").GetString());
    }

    [Fact]
    public async Task A_run_needing_approval_waits_for_a_second_person_with_the_approver_role()
    {
        await using var health = await HealthEndpoint.StartAsync();
        var team = await CreateTeamAsync(Owner, "guarded");
        await PutPolicyAsync(team, """{"approvalRequiredLabels":{"env":"prod"}}""");
        var experiment = await Owner.CreateExperimentAsync(Experiment("prod-run", health.Url, "selector: { labels: { env: prod }, targets: [noop/p] }\n      duration: 300ms"));

        var runId = await Owner.StartRunAsync(experiment);
        var waiting = await Owner.GetRunAsync(runId);
        Assert.True(waiting.GetProperty("approvalRequired").GetBoolean());
        Assert.Equal("pending", waiting.GetProperty("state").GetString());

        // The requester may not approve, nor may a key without the approver role.
        var self = await Owner.PostAsync(new Uri($"/api/v1/runs/{runId}/approve", UriKind.Relative), null, TestContext.Current.CancellationToken);
        AssertProblem(await self.ReadJsonAsync(), self, HttpStatusCode.Forbidden, "forbidden");
        var (_, plainToken) = await CreateKeyAsync(Owner, "plain-operator", "operator");
        var plain = await Server.Client(plainToken).PostAsync(new Uri($"/api/v1/runs/{runId}/approve", UriKind.Relative), null, TestContext.Current.CancellationToken);
        AssertProblem(await plain.ReadJsonAsync(), plain, HttpStatusCode.Forbidden, "forbidden");
        Assert.Equal("pending", (await Owner.GetRunAsync(runId)).GetProperty("state").GetString());

        var created = await Owner.PostJsonAsync("/api/v1/api-keys", new { name = "alice-approver", role = "operator", approver = true });
        var approverToken = (await created.ReadJsonAsync()).GetProperty("token").GetString()!;
        var approved = await Server.Client(approverToken).PostAsync(new Uri($"/api/v1/runs/{runId}/approve", UriKind.Relative), null, TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, approved.StatusCode);

        var run = await Owner.WaitForRunAsync(runId, TimeSpan.FromSeconds(30));
        Assert.Equal("passed", run.GetProperty("verdict").GetString());
        Assert.Equal("alice-approver", run.GetProperty("approvedBy").GetString());
        var events = await Owner.EventsAsync(runId);
        Assert.Contains(events, e => e.GetProperty("type").GetString() == "run.approved");

        // An approver cannot mint approvers unless it is one itself or an owner.
        var (_, adminToken) = await CreateKeyAsync(Owner, "admin-not-approver", "admin");
        var minted = await Server.Client(adminToken).PostJsonAsync("/api/v1/api-keys", new { name = "sneaky", role = "viewer", approver = true });
        AssertProblem(await minted.ReadJsonAsync(), minted, HttpStatusCode.Forbidden, "forbidden");
    }

    [Fact]
    public async Task A_policy_is_validated_field_by_field_versioned_and_unrestricted_until_set()
    {
        var team = await CreateTeamAsync(Owner, "guarded");
        var initial = await (await Owner.GetAsync(new Uri($"/api/v1/teams/{team}/policy", UriKind.Relative), TestContext.Current.CancellationToken)).ReadJsonAsync();
        Assert.Equal(0, initial.GetProperty("version").GetInt32());
        Assert.Empty(initial.GetProperty("policy").GetProperty("allowedKinds").EnumerateArray());

        var bad = await Owner.SendRawAsync(HttpMethod.Put, $"/api/v1/teams/{team}/policy",
            """{"maxSharePercentOfService":0,"maxFaultDuration":"soon","protectedTargets":[""],"surprise":true}""");
        var problem = await bad.ReadJsonAsync();
        AssertProblem(problem, bad, HttpStatusCode.BadRequest, "validation");
        var errors = problem.GetProperty("errors");
        foreach (var path in new[] { "$.maxSharePercentOfService", "$.maxFaultDuration", "$.surprise" })
        {
            Assert.True(errors.TryGetProperty(path, out _), $"{path} missing in {problem}");
        }

        var saved = await PutPolicyAsync(team, """{"maxFaultDuration":"10m","allowedKinds":["noop"]}""");
        Assert.Equal(1, saved.GetProperty("version").GetInt32());
        Assert.Equal("600s", saved.GetProperty("policy").GetProperty("maxFaultDuration").GetString());
        var stale = await Owner.SendRawAsync(HttpMethod.Put, $"/api/v1/teams/{team}/policy", "{}", ifMatch: "\"7\"");
        Assert.Equal(HttpStatusCode.PreconditionFailed, stale.StatusCode);
        var replaced = await Owner.SendRawAsync(HttpMethod.Put, $"/api/v1/teams/{team}/policy", "{}", ifMatch: "\"1\"");
        Assert.Equal(2, (await replaced.ReadJsonAsync()).GetProperty("version").GetInt32());

        var (_, teamAdmin) = await CreateKeyAsync(Owner, "team-admin", "admin", team);
        var denied = await Server.Client(teamAdmin).SendRawAsync(HttpMethod.Put, $"/api/v1/teams/{team}/policy", "{}");
        AssertProblem(await denied.ReadJsonAsync(), denied, HttpStatusCode.Forbidden, "forbidden");
    }

    private async Task<JsonElement> PutPolicyAsync(Guid team, string policy)
    {
        var response = await Owner.SendRawAsync(HttpMethod.Put, $"/api/v1/teams/{team}/policy", policy);
        var body = await response.ReadJsonAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, body.ToString());
        return body;
    }

    private static string Experiment(string name, Uri health, string fault) => $"""
        apiVersion: faultline.dev/v1
        kind: Experiment
        metadata: {"{"} name: {name}, team: guarded {"}"}
        spec:
          hypothesis: Bounded by the team's policy.
          steadyState:
            - name: health
              provider: http
              query: success_ratio
              config: {"{"} url: "{health}" {"}"}
              tolerance: {"{"} greaterThanOrEqual: 1 {"}"}
          method:
            - fault: noop
              {fault}
        """;
}
