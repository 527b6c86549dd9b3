using System.Net;

namespace Faultline.Api.Tests.Features.Organizations;

public sealed class OrganizationEndpointsTests(PostgresServer postgres) : ApiTest(postgres)
{
    [Fact]
    public async Task Key_lists_its_own_organization()
    {
        var response = await Owner.GetAsync("/api/v1/organization");
        var body = await response.ReadJsonAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(Server.Bootstrap.Organization.Id, body.GetProperty("id").GetGuid());
        Assert.True(body.GetProperty("isOperator").GetBoolean());
    }

    [Fact]
    public async Task Operator_owner_creates_a_tenant_whose_owner_key_works_and_sees_only_itself()
    {
        var (tenantId, tenantToken) = await CreateTenantAsync("Acme Corp");

        var body = await (await Server.Client(tenantToken).GetAsync("/api/v1/organization")).ReadJsonAsync();

        Assert.Equal(tenantId, body.GetProperty("id").GetGuid());
        Assert.Equal("acme-corp", body.GetProperty("slug").GetString());
        Assert.False(body.GetProperty("isOperator").GetBoolean());
        Assert.Equal(1L, await Server.ScalarAsync<long>($"select count(*) from audit_events where organization_id = '{tenantId}' and action = 'organization.created'"));
    }

    [Fact]
    public async Task Tenant_owner_cannot_create_organizations()
    {
        var (_, tenantToken) = await CreateTenantAsync("Globex");
        var before = await Server.ScalarAsync<long>("select count(*) from organizations");

        var response = await Server.Client(tenantToken).PostJsonAsync("/api/v1/organizations", new { name = "Initech" });

        AssertProblem(await response.ReadJsonAsync(), response, HttpStatusCode.Forbidden, "forbidden");
        Assert.Equal(before, await Server.ScalarAsync<long>("select count(*) from organizations"));
    }

    [Fact]
    public async Task Slug_taken_is_a_conflict()
    {
        await CreateTenantAsync("Umbrella");

        var response = await Owner.PostJsonAsync("/api/v1/organizations", new { name = "Umbrella" });

        AssertProblem(await response.ReadJsonAsync(), response, HttpStatusCode.Conflict, "conflict");
    }

    [Fact]
    public async Task Rename_needs_owner_and_current_etag()
    {
        var (_, admin) = await CreateKeyAsync(Owner, "admin", "admin");
        var forbidden = await Server.Client(admin).SendRawAsync(HttpMethod.Patch, "/api/v1/organization", """{"name":"x"}""", ifMatch: "\"1\"");
        Assert.Equal(HttpStatusCode.Forbidden, forbidden.StatusCode);

        var renamed = await Owner.SendRawAsync(HttpMethod.Patch, "/api/v1/organization", """{"name":"Platform Ops"}""", ifMatch: "\"1\"");
        Assert.Equal(HttpStatusCode.OK, renamed.StatusCode);
        Assert.Equal("Platform Ops", (await renamed.ReadJsonAsync()).GetProperty("name").GetString());

        var stale = await Owner.SendRawAsync(HttpMethod.Patch, "/api/v1/organization", """{"name":"Other"}""", ifMatch: "\"1\"");
        Assert.Equal(HttpStatusCode.PreconditionFailed, stale.StatusCode);
    }
}
