using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace Faultline.Api.Tests.Features.Secrets;

public sealed class SecretEndpointsTests(PostgresServer postgres) : ApiTest(postgres)
{
    private const string Value = "tok-3f9a1c-never-shown";

    [Fact]
    public async Task A_secret_is_created_then_replaced_and_no_answer_ever_carries_its_value()
    {
        var team = await CreateTeamAsync(Owner, "payments");

        var created = await PutAsync(Owner, team, "probe-token", Value);
        var createdText = await created.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.Equal("\"1\"", created.Headers.ETag?.Tag);
        Assert.Equal($"/api/v1/teams/{team}/secrets/probe-token", created.Headers.Location?.OriginalString);
        var body = JsonDocument.Parse(createdText).RootElement;
        Assert.Equal("probe-token", body.GetProperty("name").GetString());
        Assert.Equal("apiKey:owner", body.GetProperty("createdBy").GetString());
        Assert.StartsWith("k-", body.GetProperty("keyId").GetString(), StringComparison.Ordinal);

        var replaced = await PutAsync(Owner, team, "probe-token", Value + "-2", ifMatch: "\"1\"");
        Assert.Equal(HttpStatusCode.OK, replaced.StatusCode);
        Assert.Equal(2, (await replaced.ReadJsonAsync()).GetProperty("version").GetInt32());
        var stale = await PutAsync(Owner, team, "probe-token", Value, ifMatch: "\"1\"");
        AssertProblem(await stale.ReadJsonAsync(), stale, HttpStatusCode.PreconditionFailed, "precondition-failed");

        var list = await Owner.GetAsync(new Uri($"/api/v1/teams/{team}/secrets", UriKind.Relative), Ct);
        var one = await Owner.GetAsync(new Uri($"/api/v1/teams/{team}/secrets/probe-token", UriKind.Relative), Ct);
        var listText = await list.Content.ReadAsStringAsync(Ct);
        Assert.Equal(HttpStatusCode.OK, list.StatusCode);
        Assert.Equal(HttpStatusCode.OK, one.StatusCode);
        Assert.Equal("\"2\"", one.Headers.ETag?.Tag);
        Assert.Equal(["probe-token"], JsonDocument.Parse(listText).RootElement.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("name").GetString()));
        foreach (var text in new[] { createdText, listText, await one.Content.ReadAsStringAsync(Ct), await replaced.Content.ReadAsStringAsync(Ct), await stale.Content.ReadAsStringAsync(Ct) })
        {
            Assert.DoesNotContain(Value, text, StringComparison.Ordinal);
        }

        var deleted = await Owner.DeleteAsync(new Uri($"/api/v1/teams/{team}/secrets/probe-token", UriKind.Relative), Ct);
        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await Owner.GetAsync(new Uri($"/api/v1/teams/{team}/secrets/probe-token", UriKind.Relative), Ct)).StatusCode);
    }

    [Fact]
    public async Task Create_replace_and_delete_are_audited_by_name_and_version_without_the_value()
    {
        var team = await CreateTeamAsync(Owner, "audited");
        Assert.Equal(HttpStatusCode.Created, (await PutAsync(Owner, team, "db-password", Value)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await PutAsync(Owner, team, "db-password", Value + "-rotated")).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await Owner.DeleteAsync(new Uri($"/api/v1/teams/{team}/secrets/db-password", UriKind.Relative), Ct)).StatusCode);

        var response = await Owner.GetAsync(new Uri("/api/v1/audit-events?resourceType=secret", UriKind.Relative), Ct);
        var text = await response.Content.ReadAsStringAsync(Ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var entries = JsonDocument.Parse(text).RootElement.GetProperty("items").EnumerateArray().ToList();
        Assert.Equal(["secret.created", "secret.deleted", "secret.replaced"], entries.Select(e => e.GetProperty("action").GetString()).Order());
        Assert.All(entries, e => Assert.Contains("db-password", e.GetProperty("summary").ToString(), StringComparison.Ordinal));
        Assert.DoesNotContain(Value, text, StringComparison.Ordinal);
        Assert.Equal(0, await Server.ScalarAsync<long>($"select count(*) from audit_events where summary::text like '%{Value}%'"));
    }

    [Fact]
    public async Task Viewers_list_names_operators_of_the_team_write_and_other_teams_see_nothing()
    {
        var team = await CreateTeamAsync(Owner, "roles");
        var other = await CreateTeamAsync(Owner, "elsewhere");
        var (_, viewer) = await CreateKeyAsync(Owner, "team-viewer", "viewer", team);
        var (_, operatorKey) = await CreateKeyAsync(Owner, "team-operator", "operator", team);
        var (_, outsider) = await CreateKeyAsync(Owner, "other-operator", "operator", other);

        Assert.Equal(HttpStatusCode.Created, (await PutAsync(Server.Client(operatorKey), team, "token", Value)).StatusCode);

        var viewerPut = await PutAsync(Server.Client(viewer), team, "token", "changed");
        AssertProblem(await viewerPut.ReadJsonAsync(), viewerPut, HttpStatusCode.Forbidden, "forbidden");
        var viewerDelete = await Server.Client(viewer).DeleteAsync(new Uri($"/api/v1/teams/{team}/secrets/token", UriKind.Relative), Ct);
        Assert.Equal(HttpStatusCode.Forbidden, viewerDelete.StatusCode);
        var viewerList = await Server.Client(viewer).GetAsync(new Uri($"/api/v1/teams/{team}/secrets", UriKind.Relative), Ct);
        Assert.Equal(HttpStatusCode.OK, viewerList.StatusCode);
        Assert.Single((await viewerList.ReadJsonAsync()).GetProperty("items").EnumerateArray());

        var outsiderList = await Server.Client(outsider).GetAsync(new Uri($"/api/v1/teams/{team}/secrets", UriKind.Relative), Ct);
        AssertProblem(await outsiderList.ReadJsonAsync(), outsiderList, HttpStatusCode.NotFound, "not-found");
        Assert.Equal(HttpStatusCode.NotFound, (await PutAsync(Server.Client(outsider), team, "token", "hijacked")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await Server.Client(outsider).DeleteAsync(new Uri($"/api/v1/teams/{team}/secrets/token", UriKind.Relative), Ct)).StatusCode);
        Assert.Equal(1, await Server.ScalarAsync<int>($"select version from secrets where team_id = '{team}' and name = 'token'"));
    }

    [Fact]
    public async Task Bad_names_and_values_are_problems_naming_the_field_and_never_quoting_the_value()
    {
        var team = await CreateTeamAsync(Owner, "validation");

        var badName = await PutAsync(Owner, team, "Not_A_Slug", Value);
        var badNameBody = await badName.ReadJsonAsync();
        AssertProblem(badNameBody, badName, HttpStatusCode.BadRequest, "validation");
        Assert.True(badNameBody.GetProperty("errors").TryGetProperty("name", out _), badNameBody.ToString());

        var blank = await PutAsync(Owner, team, "token", "  ");
        var blankBody = await blank.ReadJsonAsync();
        AssertProblem(blankBody, blank, HttpStatusCode.BadRequest, "validation");
        Assert.True(blankBody.GetProperty("errors").TryGetProperty("$.value", out _), blankBody.ToString());

        var huge = Value + new string('x', 16 * 1024);
        var tooLarge = await PutAsync(Owner, team, "token", huge);
        var tooLargeText = await tooLarge.Content.ReadAsStringAsync(Ct);
        Assert.Equal(HttpStatusCode.BadRequest, tooLarge.StatusCode);
        Assert.Contains("$.value", tooLargeText, StringComparison.Ordinal);
        Assert.DoesNotContain(Value, tooLargeText, StringComparison.Ordinal);

        var wrongType = await Owner.SendRawAsync(HttpMethod.Put, $"/api/v1/teams/{team}/secrets/token", """{"value": 42}""");
        Assert.Equal(HttpStatusCode.BadRequest, wrongType.StatusCode);
        var unknown = await Owner.SendRawAsync(HttpMethod.Put, $"/api/v1/teams/{team}/secrets/token", $$"""{"value": "{{Value}}", "extra": true}""");
        Assert.Equal(HttpStatusCode.BadRequest, unknown.StatusCode);
        Assert.DoesNotContain(Value, await unknown.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
        Assert.Equal(0, await Server.ScalarAsync<long>($"select count(*) from secrets where team_id = '{team}'"));
    }

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    internal static Task<HttpResponseMessage> PutAsync(HttpClient client, Guid team, string name, string value, string? ifMatch = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Put, $"/api/v1/teams/{team}/secrets/{name}") { Content = JsonContent.Create(new { value }) };
        if (ifMatch is not null)
        {
            request.Headers.TryAddWithoutValidation("If-Match", ifMatch);
        }

        return client.SendAsync(request, TestContext.Current.CancellationToken);
    }
}
