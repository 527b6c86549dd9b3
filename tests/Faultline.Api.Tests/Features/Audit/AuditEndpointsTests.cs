using System.Net;
using System.Text.Json;

namespace Faultline.Api.Tests.Features.Audit;

public sealed class AuditEndpointsTests(PostgresServer postgres) : ApiTest(postgres)
{
    [Fact]
    public async Task Every_mutation_is_audited_with_actor_request_id_and_source()
    {
        var ownerKeyId = Server.Bootstrap.OwnerKeyId.ToString();
        var requestNumber = 0;
        async Task<(HttpResponseMessage Response, string RequestId)> Send(HttpMethod method, string path, string? body, string? ifMatch = null)
        {
            var requestId = $"audit-test-{++requestNumber}";
            var request = new HttpRequestMessage(method, path);
            request.Headers.Add("X-Request-Id", requestId);
            if (ifMatch is not null)
            {
                request.Headers.TryAddWithoutValidation("If-Match", ifMatch);
            }

            if (body is not null)
            {
                request.Content = new StringContent(body, System.Text.Encoding.UTF8, "application/json");
            }

            var response = await Owner.SendAsync(request);
            Assert.True(response.IsSuccessStatusCode, $"{method} {path}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
            return (response, requestId);
        }

        var expectations = new List<(string Action, string RequestId, Func<string> ResourceId)>();
        var (created, createRequest) = await Send(HttpMethod.Post, "/api/v1/teams", """{"name":"audited"}""");
        var teamId = (await created.ReadJsonAsync()).GetProperty("id").GetString()!;
        expectations.Add(("team.created", createRequest, () => teamId));

        var (_, updateRequest) = await Send(HttpMethod.Patch, $"/api/v1/teams/{teamId}", """{"description":"now described"}""", "\"1\"");
        expectations.Add(("team.updated", updateRequest, () => teamId));

        var (member, addRequest) = await Send(HttpMethod.Post, $"/api/v1/teams/{teamId}/members", """{"email":"m@example.com","role":"viewer"}""");
        var memberId = (await member.ReadJsonAsync()).GetProperty("id").GetString()!;
        expectations.Add(("member.added", addRequest, () => memberId));

        var (_, memberUpdate) = await Send(HttpMethod.Patch, $"/api/v1/teams/{teamId}/members/{memberId}", """{"role":"operator"}""", "\"1\"");
        expectations.Add(("member.updated", memberUpdate, () => memberId));

        var (_, memberRemove) = await Send(HttpMethod.Delete, $"/api/v1/teams/{teamId}/members/{memberId}", null);
        expectations.Add(("member.removed", memberRemove, () => memberId));

        var (key, keyCreate) = await Send(HttpMethod.Post, "/api/v1/api-keys", """{"name":"k","role":"viewer"}""");
        var keyId = (await key.ReadJsonAsync()).GetProperty("key").GetProperty("id").GetString()!;
        expectations.Add(("apiKey.created", keyCreate, () => keyId));

        var (_, keyRevoke) = await Send(HttpMethod.Delete, $"/api/v1/api-keys/{keyId}", null);
        expectations.Add(("apiKey.revoked", keyRevoke, () => keyId));

        var (_, rename) = await Send(HttpMethod.Patch, "/api/v1/organization", """{"name":"Renamed"}""", "\"1\"");
        expectations.Add(("organization.updated", rename, () => Server.Bootstrap.Organization.Id.ToString()));

        var (tenant, tenantCreate) = await Send(HttpMethod.Post, "/api/v1/organizations", """{"name":"Audited Tenant"}""");
        var tenantId = (await tenant.ReadJsonAsync()).GetProperty("organization").GetProperty("id").GetString()!;
        expectations.Add(("tenant.created", tenantCreate, () => tenantId));

        var (_, teamDelete) = await Send(HttpMethod.Delete, $"/api/v1/teams/{teamId}", null, "\"2\"");
        expectations.Add(("team.deleted", teamDelete, () => teamId));

        var events = await ReadAllAsync(Owner, "/api/v1/audit-events?limit=5");
        foreach (var (action, requestId, resourceId) in expectations)
        {
            var entry = Assert.Single(events, e => e.GetProperty("requestId").GetString() == requestId);
            Assert.Equal(action, entry.GetProperty("action").GetString());
            Assert.Equal(resourceId(), entry.GetProperty("resourceId").GetString());
            Assert.Equal(ownerKeyId, entry.GetProperty("actorKeyId").GetString());
            Assert.Equal("127.0.0.1", entry.GetProperty("sourceAddress").GetString());
            Assert.Equal(JsonValueKind.Object, entry.GetProperty("summary").ValueKind);
        }

        var renameEntry = events.Single(e => e.GetProperty("action").GetString() == "organization.updated");
        Assert.Equal("Renamed", renameEntry.GetProperty("summary").GetProperty("name").GetProperty("to").GetString());
    }

    [Fact]
    public async Task Failed_mutations_leave_no_audit_entry()
    {
        var before = await Server.ScalarAsync<long>("select count(*) from audit_events");

        Assert.Equal(HttpStatusCode.BadRequest, (await Owner.SendRawAsync(HttpMethod.Post, "/api/v1/teams", """{"name":""}""")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await Owner.DeleteAsync($"/api/v1/api-keys/{Guid.NewGuid()}")).StatusCode);

        Assert.Equal(before, await Server.ScalarAsync<long>("select count(*) from audit_events"));
    }

    [Fact]
    public async Task Filters_narrow_the_log()
    {
        var team = await CreateTeamAsync(Owner, "filtered");
        await CreateTeamAsync(Owner, "unrelated");

        var byResource = await ReadAllAsync(Owner, $"/api/v1/audit-events?resourceId={team}");
        var byAction = await ReadAllAsync(Owner, "/api/v1/audit-events?action=team.created&resourceType=team");
        var future = await ReadAllAsync(Owner, $"/api/v1/audit-events?from={Uri.EscapeDataString(DateTimeOffset.UtcNow.AddHours(1).ToString("O"))}");

        Assert.Equal(team.ToString(), Assert.Single(byResource).GetProperty("resourceId").GetString());
        Assert.True(byAction.Count >= 3, "bootstrap team + two created here");
        Assert.All(byAction, e => Assert.Equal("team.created", e.GetProperty("action").GetString()));
        Assert.Empty(future);
    }

    [Fact]
    public async Task Only_organization_admins_read_the_log()
    {
        var team = await CreateTeamAsync(Owner, "t");
        var (_, viewer) = await CreateKeyAsync(Owner, "viewer", "viewer");
        var (_, teamAdmin) = await CreateKeyAsync(Owner, "team-admin", "admin", team);
        var (_, admin) = await CreateKeyAsync(Owner, "admin", "admin");

        Assert.Equal(HttpStatusCode.Forbidden, (await Server.Client(viewer).GetAsync("/api/v1/audit-events")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await Server.Client(teamAdmin).GetAsync("/api/v1/audit-events")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await Server.Client(admin).GetAsync("/api/v1/audit-events")).StatusCode);
    }

    private static async Task<List<JsonElement>> ReadAllAsync(HttpClient client, string firstPage)
    {
        var all = new List<JsonElement>();
        var path = firstPage;
        for (var page = 0; page < 100; page++)
        {
            var response = await client.GetAsync(path);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            var body = await response.ReadJsonAsync();
            all.AddRange(body.GetProperty("items").EnumerateArray());
            var next = body.GetProperty("nextCursor").GetString();
            if (next is null)
            {
                return all;
            }

            path = $"{firstPage}{(firstPage.Contains('?', StringComparison.Ordinal) ? "&" : "?")}cursor={next}";
        }

        throw new InvalidOperationException("Paging did not end.");
    }
}
