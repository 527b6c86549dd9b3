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
        Assert.Equal("1.1.0", body.GetProperty("sdkContractVersion").GetString());
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
    public async Task Network_injectors_report_this_hosts_engines_as_probed_at_start()
    {
        JsonElement delay = default;
        await Poll.UntilAsync(
            async () =>
            {
                var plugin = (await (await Owner.GetAsync("/api/v1/plugins/faultline.network")).ReadJsonAsync());
                delay = plugin.GetProperty("injectors").EnumerateArray().Single(i => i.GetProperty("name").GetString() == "network.delay");
                return delay.GetProperty("host").ValueKind == JsonValueKind.Object;
            },
            TimeSpan.FromSeconds(60),
            "the network injector's host probe to be reported");

        var host = delay.GetProperty("host");
        var evidence = host.GetProperty("evidence").EnumerateArray().Select(e => e.GetString()!).ToList();
        if (host.GetProperty("features").ValueKind == JsonValueKind.Null)
        {
            Assert.Fail($"the probe failed: {host.GetProperty("error")}");
        }

        var features = host.GetProperty("features").EnumerateObject().ToDictionary(f => f.Name, f => f.Value.GetBoolean());
        Assert.Equal(["netem", "nfqueue", "nftables", "tbf", "tc-filters"], features.Keys.Order(StringComparer.Ordinal));
        if (Environment.UserName == "root")
        {
            // tbf, nftables and NFQUEUE work on every kernel these tests run on (kernel.md); netem depends on the kernel.
            Assert.True(features["tbf"] && features["nftables"] && features["nfqueue"], string.Join("; ", evidence));
        }

        Assert.NotEmpty(evidence);

        // One probe per host, shared by every network injector: the loss injector reports the same answer.
        var plugin = await (await Owner.GetAsync("/api/v1/plugins/faultline.network")).ReadJsonAsync();
        var loss = plugin.GetProperty("injectors").EnumerateArray().Single(i => i.GetProperty("name").GetString() == "network.loss");
        Assert.Equal(host.GetProperty("features").ToString(), loss.GetProperty("host").GetProperty("features").ToString());
        Assert.Equal(JsonValueKind.Null, Assert.Single(plugin.GetProperty("injectors").EnumerateArray(), i => i.GetProperty("name").GetString() == "network.delay")
            .GetProperty("host").GetProperty("error").ValueKind);
    }

    [Fact]
    public async Task Unknown_plugin_is_404_and_listing_needs_a_key()
    {
        var missing = await Owner.GetAsync("/api/v1/plugins/no.such.plugin");

        AssertProblem(await missing.ReadJsonAsync(), missing, HttpStatusCode.NotFound, "not-found");
        Assert.Equal(HttpStatusCode.Unauthorized, (await Server.Client().GetAsync("/api/v1/plugins")).StatusCode);
    }
}
