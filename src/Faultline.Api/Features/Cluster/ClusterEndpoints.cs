using Faultline.Api.Auth;
using Faultline.Api.Hosting;
using Faultline.Api.Http;
using Faultline.Api.Problems;
using Faultline.Storage.Cluster;

namespace Faultline.Api.Features.Cluster;

public static class ClusterEndpoints
{
    public static RouteGroupBuilder MapClusterEndpoints(this RouteGroupBuilder api)
    {
        var group = api.MapGroup("/cluster").WithTags("Cluster").RequireAuthorization(Policies.Owner).WithStandardProblems();
        group.MapGet("/nodes", ListNodesAsync).WithName("ListClusterNodes")
            .WithSummary("List control-plane nodes and whether each is live, dead or stopped (operator organization owners only)")
            .Produces<IReadOnlyList<ClusterNodeResponse>>();
        return api;
    }

    private static async Task<IResult> ListNodesAsync(HttpContext context, NodeStore nodes, FaultlineServerOptions options, CancellationToken cancellationToken)
    {
        // Node addresses describe the platform's own infrastructure: not a tenant's business.
        if (!context.GetCaller().CanCreateOrganizations)
        {
            throw ProblemException.Forbidden("Only owners of the operator organization see the cluster.");
        }

        var rows = await nodes.ListWithStatusAsync(options.HeartbeatInterval * 3, 500, cancellationToken);
        return TypedResults.Ok(rows.Select(ClusterNodeResponse.From).ToList());
    }
}

public sealed record ClusterNodeResponse(Guid Id, string Address, string Status, DateTimeOffset StartedAt, DateTimeOffset HeartbeatAt, DateTimeOffset? StoppedAt)
{
    public static ClusterNodeResponse From(ClusterNodeStatus node) =>
        new(node.Id, node.Address, node.Status, node.StartedAt, node.HeartbeatAt, node.StoppedAt);
}
