using System.Net;

namespace Faultline.Api.Tests.Features.Halts;

public sealed class HaltEndpointsTests(PostgresServer postgres) : ApiTest(postgres)
{
    private static readonly TimeSpan HaltBound = TimeSpan.FromSeconds(2);

    [Fact]
    public async Task A_team_halt_rolls_back_the_teams_runs_within_two_seconds_refuses_new_ones_and_spares_other_teams()
    {
        await using var health = await HealthEndpoint.StartAsync();
        var payments = await CreateTeamAsync(Owner, "payments");
        await CreateTeamAsync(Owner, "search");
        var first = await Owner.CreateExperimentAsync(RunApi.NoopExperiment("payments-1", health.Url, duration: "120s", targets: "[noop/p1]", team: "payments"));
        var second = await Owner.CreateExperimentAsync(RunApi.NoopExperiment("payments-2", health.Url, duration: "120s", targets: "[noop/p2]", team: "payments"));
        var other = await Owner.CreateExperimentAsync(RunApi.NoopExperiment("search-1", health.Url, duration: "120s", targets: "[noop/s1]", team: "search"));
        var runs = new[] { await Owner.StartRunAsync(first), await Owner.StartRunAsync(second) };
        var spared = await Owner.StartRunAsync(other);
        foreach (var run in runs.Append(spared))
        {
            await Owner.WaitForRunAsync(run, TimeSpan.FromSeconds(30), r => r.GetProperty("state").GetString() == "observing");
        }

        var engagedAt = DateTimeOffset.UtcNow;
        var response = await Owner.PostJsonAsync("/api/v1/halts", new { scope = "team", teamId = payments, reason = "incident 4711" });
        var halt = await response.ReadJsonAsync();
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);

        foreach (var runId in runs)
        {
            var run = await Owner.WaitForRunAsync(runId, TimeSpan.FromSeconds(10));
            Assert.Equal("aborted", run.GetProperty("verdict").GetString());
            Assert.Equal("halt", run.GetProperty("abortCause").GetString());
            Assert.Contains("incident 4711", run.GetProperty("verdictReason").GetString());
            var fault = Assert.Single(run.GetProperty("faults").EnumerateArray());
            Assert.Equal("removed", fault.GetProperty("state").GetString());
            var removedAfter = fault.GetProperty("removedAt").GetDateTimeOffset() - engagedAt;
            Assert.True(removedAfter <= HaltBound, $"rolled back {removedAfter.TotalMilliseconds:0} ms after the halt; the bound is {HaltBound.TotalSeconds} s");
        }

        Assert.Equal("observing", (await Owner.GetRunAsync(spared)).GetProperty("state").GetString());

        var refused = await Owner.PostAsync(new Uri($"/api/v1/experiments/{first}/runs", UriKind.Relative), null, TestContext.Current.CancellationToken);
        var problem = await refused.ReadJsonAsync();
        AssertProblem(problem, refused, HttpStatusCode.Conflict, "halted");
        Assert.Contains("incident 4711", problem.GetProperty("detail").GetString());

        var released = await Owner.PostAsync(new Uri($"/api/v1/halts/{halt.GetProperty("id").GetGuid()}/release", UriKind.Relative), null, TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, released.StatusCode);
        Assert.False((await released.ReadJsonAsync()).GetProperty("active").GetBoolean());
        var again = await Owner.StartRunAsync(first);
        await Owner.WaitForRunAsync(again, TimeSpan.FromSeconds(30), r => r.GetProperty("state").GetString() == "observing");

        var audit = await (await Owner.GetAsync(new Uri("/api/v1/audit-events?limit=200", UriKind.Relative), TestContext.Current.CancellationToken)).ReadJsonAsync();
        var actions = audit.GetProperty("items").EnumerateArray().Select(e => e.GetProperty("action").GetString()).ToList();
        Assert.Contains("halt.engaged", actions);
        Assert.Contains("halt.released", actions);
    }

    [Fact]
    public async Task A_global_halt_stops_every_organization_and_only_operator_owners_may_pull_it()
    {
        await using var health = await HealthEndpoint.StartAsync();
        var (_, tenantOwner) = await CreateTenantAsync("Tenant");
        var tenant = Server.Client(tenantOwner);
        var experiment = await tenant.CreateExperimentAsync(RunApi.NoopExperiment("tenant-run", health.Url, duration: "120s", targets: "[noop/t1]"));
        var runId = await tenant.StartRunAsync(experiment);
        await tenant.WaitForRunAsync(runId, TimeSpan.FromSeconds(30), r => r.GetProperty("state").GetString() == "observing");

        var forbidden = await tenant.PostJsonAsync("/api/v1/halts", new { scope = "global", reason = "tenant tries" });
        AssertProblem(await forbidden.ReadJsonAsync(), forbidden, HttpStatusCode.Forbidden, "forbidden");

        var engaged = await Owner.PostJsonAsync("/api/v1/halts", new { scope = "global", reason = "platform freeze" });
        Assert.Equal(HttpStatusCode.Created, engaged.StatusCode);
        var run = await tenant.WaitForRunAsync(runId, TimeSpan.FromSeconds(10));
        Assert.Equal("halt", run.GetProperty("abortCause").GetString());
        Assert.Contains("platform freeze", run.GetProperty("verdictReason").GetString());

        var listed = await (await tenant.GetAsync(new Uri("/api/v1/halts", UriKind.Relative), TestContext.Current.CancellationToken)).ReadJsonAsync();
        Assert.Contains(listed.EnumerateArray(), h => h.GetProperty("scope").GetString() == "global" && h.GetProperty("active").GetBoolean());
        var refused = await tenant.PostAsync(new Uri($"/api/v1/experiments/{experiment}/runs", UriKind.Relative), null, TestContext.Current.CancellationToken);
        AssertProblem(await refused.ReadJsonAsync(), refused, HttpStatusCode.Conflict, "halted");
    }

    [Fact]
    public async Task A_halt_needs_a_reason_and_a_team_halt_needs_a_team()
    {
        var response = await Owner.PostJsonAsync("/api/v1/halts", new { scope = "team", reason = "" });
        var problem = await response.ReadJsonAsync();
        AssertProblem(problem, response, HttpStatusCode.BadRequest, "validation");
        var errors = problem.GetProperty("errors");
        Assert.True(errors.TryGetProperty("$.teamId", out _), problem.ToString());
        Assert.True(errors.TryGetProperty("$.reason", out _), problem.ToString());

        var unknownScope = await Owner.PostJsonAsync("/api/v1/halts", new { scope = "galaxy", reason = "why not" });
        Assert.True((await unknownScope.ReadJsonAsync()).GetProperty("errors").TryGetProperty("$.scope", out _));
    }
}
