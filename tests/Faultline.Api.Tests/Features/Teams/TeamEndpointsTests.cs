using System.Net;
using System.Net.Http.Json;

namespace Faultline.Api.Tests.Features.Teams;

public sealed class TeamEndpointsTests(PostgresServer postgres) : ApiTest(postgres)
{
    [Fact]
    public async Task Created_team_is_returned_with_location_and_etag_and_listed()
    {
        var response = await Owner.PostJsonAsync("/api/v1/teams", new { name = "payments", description = "Owns checkout payments" });
        var body = await response.ReadJsonAsync();

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var id = body.GetProperty("id").GetGuid();
        Assert.Equal($"/api/v1/teams/{id}", response.Headers.Location?.ToString());
        Assert.Equal("\"1\"", response.Headers.ETag?.Tag);
        Assert.Equal("Owns checkout payments", body.GetProperty("description").GetString());

        var list = await (await Owner.GetAsync("/api/v1/teams")).ReadJsonAsync();
        Assert.Contains(list.GetProperty("items").EnumerateArray(), t => t.GetProperty("id").GetGuid() == id);
    }

    [Fact]
    public async Task Duplicate_team_name_is_a_conflict_and_stores_nothing()
    {
        await CreateTeamAsync(Owner, "search");
        var before = await Server.ScalarAsync<long>("select count(*) from teams");

        var response = await Owner.PostJsonAsync("/api/v1/teams", new { name = "search" });

        AssertProblem(await response.ReadJsonAsync(), response, HttpStatusCode.Conflict, "conflict");
        Assert.Equal(before, await Server.ScalarAsync<long>("select count(*) from teams"));
    }

    [Fact]
    public async Task Update_with_current_etag_succeeds_and_stale_etag_gets_412_without_losing_the_first_write()
    {
        var id = await CreateTeamAsync(Owner, "inventory");
        var read = await Owner.GetAsync($"/api/v1/teams/{id}");
        var etag = read.Headers.ETag!.Tag;

        var first = await Owner.SendRawAsync(HttpMethod.Patch, $"/api/v1/teams/{id}", """{"name":"inventory-core"}""", ifMatch: etag);
        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal("\"2\"", first.Headers.ETag?.Tag);

        // A second writer that read the same version must not overwrite the first change.
        var second = await Owner.SendRawAsync(HttpMethod.Patch, $"/api/v1/teams/{id}", """{"name":"inventory-legacy"}""", ifMatch: etag);
        AssertProblem(await second.ReadJsonAsync(), second, HttpStatusCode.PreconditionFailed, "precondition-failed");

        var final = await (await Owner.GetAsync($"/api/v1/teams/{id}")).ReadJsonAsync();
        Assert.Equal("inventory-core", final.GetProperty("name").GetString());
        Assert.Equal(2, final.GetProperty("version").GetInt32());
    }

    [Fact]
    public async Task Update_without_if_match_gets_428()
    {
        var id = await CreateTeamAsync(Owner, "edge");

        var response = await Owner.SendRawAsync(HttpMethod.Patch, $"/api/v1/teams/{id}", """{"name":"edge2"}""");

        AssertProblem(await response.ReadJsonAsync(), response, HttpStatusCode.PreconditionRequired, "precondition-required");
        Assert.Equal("edge", (await (await Owner.GetAsync($"/api/v1/teams/{id}")).ReadJsonAsync()).GetProperty("name").GetString());
    }

    [Fact]
    public async Task Delete_removes_the_team_and_its_members()
    {
        var id = await CreateTeamAsync(Owner, "to-delete");
        Assert.Equal(HttpStatusCode.Created, (await Owner.PostJsonAsync($"/api/v1/teams/{id}/members", new { email = "a@example.com", role = "viewer" })).StatusCode);

        var response = await Owner.SendRawAsync(HttpMethod.Delete, $"/api/v1/teams/{id}", null, ifMatch: "\"1\"");

        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await Owner.GetAsync($"/api/v1/teams/{id}")).StatusCode);
        Assert.Equal(0L, await Server.ScalarAsync<long>($"select count(*) from members where team_id = '{id}'"));
    }

    [Fact]
    public async Task Cursor_paging_visits_every_team_once()
    {
        var created = new HashSet<Guid>();
        for (var i = 0; i < 7; i++)
        {
            created.Add(await CreateTeamAsync(Owner, $"paged-{i}"));
        }

        var seen = new List<Guid>();
        string? cursor = null;
        var pages = 0;
        do
        {
            var page = await (await Owner.GetAsync($"/api/v1/teams?limit=3{(cursor is null ? "" : $"&cursor={cursor}")}")).ReadJsonAsync();
            seen.AddRange(page.GetProperty("items").EnumerateArray().Select(t => t.GetProperty("id").GetGuid()));
            cursor = page.GetProperty("nextCursor").GetString();
            pages++;
        }
        while (cursor is not null && pages < 10);

        Assert.Equal(seen.Count, seen.Distinct().Count());
        Assert.Superset(created, seen.ToHashSet());
        Assert.True(pages >= 3, $"7+ teams at 3 a page need at least 3 pages, got {pages}");
    }

    [Fact]
    public async Task Viewer_key_reads_but_cannot_create_teams()
    {
        var (_, viewer) = await CreateKeyAsync(Owner, "viewer", "viewer");
        var client = Server.Client(viewer);

        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/v1/teams")).StatusCode);
        var response = await client.PostAsJsonAsync("/api/v1/teams", new { name = "nope" });

        AssertProblem(await response.ReadJsonAsync(), response, HttpStatusCode.Forbidden, "forbidden");
        Assert.Equal(0L, await Server.ScalarAsync<long>("select count(*) from teams where name = 'nope'"));
    }

    [Fact]
    public async Task Team_bound_key_sees_only_its_own_team()
    {
        var mine = await CreateTeamAsync(Owner, "mine");
        var other = await CreateTeamAsync(Owner, "other");
        var (_, teamAdmin) = await CreateKeyAsync(Owner, "team-admin", "admin", mine);
        var client = Server.Client(teamAdmin);

        var list = await (await client.GetAsync("/api/v1/teams")).ReadJsonAsync();

        Assert.Equal([mine], list.GetProperty("items").EnumerateArray().Select(t => t.GetProperty("id").GetGuid()).ToArray());
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync($"/api/v1/teams/{other}")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync($"/api/v1/teams/{mine}")).StatusCode);
    }
}
