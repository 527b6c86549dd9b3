using Faultline.Api.Auth;
using Faultline.Api.Http;
using Faultline.Api.Problems;
using Faultline.Engine.Plugins;
using Faultline.Sdk;

namespace Faultline.Api.Features.Plugins;

public static class PluginEndpoints
{
    public static RouteGroupBuilder MapPluginEndpoints(this RouteGroupBuilder api)
    {
        var group = api.MapGroup("/plugins").WithTags("Plugins").RequireAuthorization(Policies.Viewer).WithStandardProblems();
        group.MapGet("/", List).WithName("ListPlugins")
            .WithSummary("List installed plugins with their status, injectors (with parameter schemas), metric providers and target discovery")
            .Produces<PluginListResponse>();
        group.MapGet("/{pluginId}", Get).WithName("GetPlugin").WithSummary("Get one installed plugin")
            .Produces<PluginResponse>().ProducesNotFound();
        return api;
    }

    private static Microsoft.AspNetCore.Http.HttpResults.Ok<PluginListResponse> List(PluginCatalog catalog, HostCapabilityRegistry hosts) =>
        TypedResults.Ok(new PluginListResponse(SdkInfo.ContractVersion.ToString(), [.. catalog.Plugins.Select(plugin => PluginResponse.From(plugin, hosts))]));

    private static Microsoft.AspNetCore.Http.HttpResults.Ok<PluginResponse> Get(string pluginId, PluginCatalog catalog, HostCapabilityRegistry hosts) =>
        catalog.Plugins.FirstOrDefault(p => p.Id == pluginId) is { } plugin
            ? TypedResults.Ok(PluginResponse.From(plugin, hosts))
            : throw ProblemException.NotFound("Plugin");
}
