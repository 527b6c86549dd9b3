using System.Net;

namespace Faultline.Api.Tests.Features.Members;

public sealed class MemberEndpointsTests(PostgresServer postgres) : ApiTest(postgres)
{
    [Fact]
    public async Task Member_is_added_updated_and_removed()
    {
        var team = await CreateTeamAsync(Owner, "sre");

        var added = await Owner.PostJsonAsync($"/api/v1/teams/{team}/members", new { email = "Ana@Example.com", displayName = "Ana", role = "operator" });
        var member = await added.ReadJsonAsync();
        Assert.Equal(HttpStatusCode.Created, added.StatusCode);
        Assert.Equal("ana@example.com", member.GetProperty("email").GetString());
        Assert.Equal("operator", member.GetProperty("role").GetString());
        var id = member.GetProperty("id").GetGuid();

        var updated = await Owner.SendRawAsync(HttpMethod.Patch, $"/api/v1/teams/{team}/members/{id}", """{"role":"admin"}""", ifMatch: "\"1\"");
        Assert.Equal(HttpStatusCode.OK, updated.StatusCode);
        Assert.Equal("admin", (await updated.ReadJsonAsync()).GetProperty("role").GetString());

        Assert.Equal(HttpStatusCode.NoContent, (await Owner.DeleteAsync($"/api/v1/teams/{team}/members/{id}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await Owner.GetAsync($"/api/v1/teams/{team}/members/{id}")).StatusCode);
    }

    [Fact]
    public async Task Invalid_member_reports_every_field_at_once_and_stores_nothing()
    {
        var team = await CreateTeamAsync(Owner, "qa");

        var response = await Owner.SendRawAsync(HttpMethod.Post, $"/api/v1/teams/{team}/members", """{"email":"not-an-email","role":"owner","displayName":null}""");
        var body = await response.ReadJsonAsync();

        AssertProblem(body, response, HttpStatusCode.BadRequest, "validation");
        var errors = body.GetProperty("errors");
        Assert.True(errors.TryGetProperty("$.email", out _), body.ToString());
        Assert.True(errors.TryGetProperty("$.role", out _), body.ToString());
        Assert.Equal(0L, await Server.ScalarAsync<long>("select count(*) from members"));
    }

    [Fact]
    public async Task The_same_email_twice_in_a_team_is_a_conflict()
    {
        var team = await CreateTeamAsync(Owner, "dup");
        Assert.Equal(HttpStatusCode.Created, (await Owner.PostJsonAsync($"/api/v1/teams/{team}/members", new { email = "b@example.com", role = "viewer" })).StatusCode);

        var response = await Owner.PostJsonAsync($"/api/v1/teams/{team}/members", new { email = "B@example.com", role = "admin" });

        AssertProblem(await response.ReadJsonAsync(), response, HttpStatusCode.Conflict, "conflict");
    }

    [Fact]
    public async Task Team_admin_key_manages_its_team_but_not_another()
    {
        var mine = await CreateTeamAsync(Owner, "mine");
        var other = await CreateTeamAsync(Owner, "theirs");
        var (_, teamAdmin) = await CreateKeyAsync(Owner, "team-admin", "admin", mine);
        var client = Server.Client(teamAdmin);

        Assert.Equal(HttpStatusCode.Created, (await client.PostJsonAsync($"/api/v1/teams/{mine}/members", new { email = "c@example.com", role = "viewer" })).StatusCode);
        var response = await client.PostJsonAsync($"/api/v1/teams/{other}/members", new { email = "c@example.com", role = "viewer" });

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal(0L, await Server.ScalarAsync<long>($"select count(*) from members where team_id = '{other}'"));
    }
}
