using System.Net;
using System.Text.Json;

namespace Faultline.Api.Tests.Features.Plugins;

public sealed class PluginEndpointsTests(PostgresServer postgres) : ApiTest(postgres)
{
    [Fact]
    public async Task Built_in_process_plugin_is_listed_as_loaded_with_its_injector_schema()
    {
        var (_, viewer) = await CreateKeyAsync(Owner, "viewer", "viewer");

        var response = await Server.Client(viewer).GetAsync("/api/v1/plugins");
        var body = await response.ReadJsonAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("1.0.0", body.GetProperty("sdkContractVersion").GetString());
        var plugin = Assert.Single(body.GetProperty("items").EnumerateArray(), p => p.GetProperty("id").GetString() == "faultline.process");
        Assert.Equal("loaded", plugin.GetProperty("status").GetString());
        var injector = Assert.Single(plugin.GetProperty("injectors").EnumerateArray());
        Assert.Equal("process.pause", injector.GetProperty("name").GetString());
        Assert.Equal(JsonValueKind.Object, injector.GetProperty("parametersSchema").ValueKind);
        Assert.Equal("object", injector.GetProperty("parametersSchema").GetProperty("type").GetString());
        Assert.Contains("process", injector.GetProperty("targetKinds").EnumerateArray().Select(k => k.GetString()));
        Assert.False(plugin.TryGetProperty("directory", out _), "the server's folders are not shown to tenants");
    }

    [Fact]
    public async Task Unknown_plugin_is_404_and_listing_needs_a_key()
    {
        var missing = await Owner.GetAsync("/api/v1/plugins/no.such.plugin");

        AssertProblem(await missing.ReadJsonAsync(), missing, HttpStatusCode.NotFound, "not-found");
        Assert.Equal(HttpStatusCode.Unauthorized, (await Server.Client().GetAsync("/api/v1/plugins")).StatusCode);
    }
}
