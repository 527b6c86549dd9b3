using System.Net;

namespace Faultline.Api.Tests.Features.Cluster;

public sealed class ClusterEndpointsTests(PostgresServer postgres) : ApiTest(postgres)
{
    [Fact]
    public async Task Only_owners_of_the_operator_organization_see_the_nodes()
    {
        var (_, admin) = await CreateKeyAsync(Owner, "admin", "admin");
        var (_, tenantOwner) = await CreateTenantAsync("Tenant");

        Assert.Equal(HttpStatusCode.OK, (await Owner.GetAsync("/api/v1/cluster/nodes")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await Server.Client(admin).GetAsync("/api/v1/cluster/nodes")).StatusCode);
        var tenant = await Server.Client(tenantOwner).GetAsync("/api/v1/cluster/nodes");
        AssertProblem(await tenant.ReadJsonAsync(), tenant, HttpStatusCode.Forbidden, "forbidden");
    }
}
