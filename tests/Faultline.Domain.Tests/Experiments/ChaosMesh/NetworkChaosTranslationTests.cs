using System.Text.Json;
using System.Text.Json.Nodes;
using Faultline.Domain.Experiments;
using static Faultline.Domain.Tests.Experiments.ChaosMesh.ChaosMeshManifests;

namespace Faultline.Domain.Tests.Experiments.ChaosMesh;

public sealed class NetworkChaosTranslationTests
{
    private const string Selection = """
        "mode": "one",
        "selector": { "namespaces": ["shop"], "labelSelectors": { "app": "cart" } },
        "duration": "30s"
        """;

    [Theory]
    [InlineData("delay", """ "delay": { "latency": "10ms" } """, "network.delay")]
    [InlineData("loss", """ "loss": { "loss": "25" } """, "network.loss")]
    [InlineData("duplicate", """ "duplicate": { "duplicate": "5" } """, "network.duplicate")]
    [InlineData("corrupt", """ "corrupt": { "corrupt": "1" } """, "network.corrupt")]
    [InlineData("partition", """ "direction": "both" """, "network.partition")]
    [InlineData("bandwidth", """ "bandwidth": { "rate": "1mbps", "limit": 100, "buffer": 10000 } """, "network.bandwidth")]
    public void Each_network_action_becomes_its_network_injector(string action, string fields, string injector)
    {
        var outcome = Translate(Network($$"""{ "action": "{{action}}", {{fields}}, {{Selection}} }"""));

        Assert.Equal(injector, outcome.Fault.Injector);
        Assert.Equal(SelectionMode.One, outcome.Fault.Mode);
        Assert.Equal(TimeSpan.FromSeconds(30), outcome.Fault.Duration);
    }

    [Theory]
    [InlineData("loss")]
    [InlineData("duplicate")]
    [InlineData("corrupt")]
    public void Loss_duplicate_and_corrupt_become_a_percent_and_a_correlation(string action)
    {
        var outcome = Translate(Network($$"""{ "action": "{{action}}", "{{action}}": { "{{action}}": "25.5", "correlation": "50" }, {{Selection}} }"""));

        Assert.Equal("""{"percent":25.5,"correlation":50}""", Json(outcome.Fault.Parameters));
        Assert.Contains(new($"$.spec.{action}.{action}", "$.spec.method[0].params.percent"), outcome.Translation.Mapping);
        Assert.Contains(new($"$.spec.{action}.correlation", "$.spec.method[0].params.correlation"), outcome.Translation.Mapping);
    }

    [Fact]
    public void A_delay_keeps_its_durations_as_written_and_its_reorder_as_numbers()
    {
        var outcome = Translate(Network($$"""
            {
              "action": "delay",
              "delay": {
                "latency": "1m30s", "jitter": "0ms", "correlation": "25",
                "reorder": { "reorder": "10", "correlation": "5", "gap": 3 }
              },
              {{Selection}}
            }
            """));

        Assert.Equal(
            """{"latency":"1m30s","jitter":"0ms","correlation":25,"reorder":{"percent":10,"correlation":5,"gap":3}}""",
            Json(outcome.Fault.Parameters));
        Assert.Contains(new("$.spec.delay.reorder.reorder", "$.spec.method[0].params.reorder.percent"), outcome.Translation.Mapping);
        Assert.Contains(new("$.spec.delay.reorder.gap", "$.spec.method[0].params.reorder.gap"), outcome.Translation.Mapping);
    }

    [Fact]
    public void Numbers_written_without_quotes_mean_the_same_as_chaos_mesh_strings()
    {
        var outcome = Translate(Network($$"""{ "action": "loss", "loss": { "loss": 25, "correlation": 100 }, {{Selection}} }"""));

        Assert.Equal("""{"percent":25,"correlation":100}""", Json(outcome.Fault.Parameters));
    }

    [Fact]
    public void A_bandwidth_limit_keeps_rate_limit_and_peak_and_takes_its_buffer_as_the_burst()
    {
        var outcome = Translate(Network($$"""
            {
              "action": "bandwidth",
              "bandwidth": { "rate": "1mbps", "limit": 20971520, "buffer": 10000, "peakrate": 1000000, "minburst": 1500 },
              {{Selection}}
            }
            """));

        Assert.Equal(
            """{"rate":"1mbps","limit":20971520,"burst":10000,"peakrate":1000000,"minburst":1500}""",
            Json(outcome.Fault.Parameters));
        Assert.Contains(new("$.spec.bandwidth.buffer", "$.spec.method[0].params.burst"), outcome.Translation.Mapping);
    }

    [Fact]
    public void A_partition_translates_its_direction_and_target_selection()
    {
        var outcome = Translate(Network($$"""
            {
              "action": "partition",
              "direction": "to",
              "target": {
                "mode": "fixed-percent",
                "value": "50",
                "selector": { "namespaces": ["db"], "labelSelectors": { "app.kubernetes.io/name": "postgres" } }
              },
              {{Selection}}
            }
            """));

        var parameters = outcome.Fault.Parameters;
        Assert.Equal("to", parameters.GetProperty("direction").GetString());
        Assert.Equal(
            """{"selector":{"kinds":["pod"],"namespaces":["db"],"labels":{"app.kubernetes.io/name":"postgres"}},"mode":"fixed-percent","value":50}""",
            Json(parameters.GetProperty("target")));
        Assert.Equal(["shop"], outcome.Fault.Selector.Namespaces);
        var mapping = outcome.Translation.Mapping;
        Assert.Contains(new("$.spec.direction", "$.spec.method[0].params.direction"), mapping);
        Assert.Contains(new("$.spec.target.mode", "$.spec.method[0].params.target.mode"), mapping);
        Assert.Contains(new("$.spec.target.value", "$.spec.method[0].params.target.value"), mapping);
        Assert.Contains(new("$.spec.target.selector.namespaces[0]", "$.spec.method[0].params.target.selector.namespaces[0]"), mapping);
        Assert.Contains(
            new("$.spec.target.selector.labelSelectors['app.kubernetes.io/name']", "$.spec.method[0].params.target.selector.labels['app.kubernetes.io/name']"),
            mapping);
    }

    [Fact]
    public void External_targets_are_kept_as_a_list_of_hosts_and_cidrs()
    {
        var outcome = Translate(Network($$"""
            { "action": "partition", "externalTargets": ["10.0.0.0/8", "api.example.com"], {{Selection}} }
            """));

        Assert.Equal("""["10.0.0.0/8","api.example.com"]""", Json(outcome.Fault.Parameters.GetProperty("externalTargets")));
        Assert.Contains(new("$.spec.externalTargets[1]", "$.spec.method[0].params.externalTargets[1]"), outcome.Translation.Mapping);
    }

    [Fact]
    public void A_target_with_a_bad_selection_is_an_error_at_its_path()
    {
        var outcome = Translate(Network($$"""
            { "action": "partition", "target": { "mode": "fixed", "selector": { "namespaces": ["db"], "nodes": ["n1"] } }, {{Selection}} }
            """));

        outcome.AssertError("$.spec.target.value", "is required");
        outcome.AssertError("$.spec.target.selector.nodes", "not supported yet");
    }

    [Theory]
    [InlineData("\"lots\"")]
    [InlineData("\"101\"")]
    [InlineData("\"-1\"")]
    [InlineData("true")]
    public void An_unparsable_or_out_of_range_correlation_is_an_error_at_its_path(string correlation)
    {
        var outcome = TranslateSeedWith(manifest => manifest.Spec()["delay"]!["correlation"] = JsonNode.Parse(correlation));

        outcome.AssertError("$.spec.delay.correlation", "must be a number from 0 to 100");
    }

    [Fact]
    public void A_latency_that_is_not_a_duration_is_an_error()
    {
        var outcome = TranslateSeedWith(manifest => manifest.Spec()["delay"]!["latency"] = "fast");

        outcome.AssertError("$.spec.delay.latency", "must be a duration");
    }

    [Fact]
    public void The_block_of_another_action_is_an_error_not_dropped()
    {
        var outcome = TranslateSeedWith(manifest => manifest.Spec()["loss"] = new JsonObject { ["loss"] = "10" });

        outcome.AssertError("$.spec.loss", "only applies to action 'loss'");
    }

    [Fact]
    public void The_block_of_the_action_is_required()
    {
        var outcome = TranslateSeedWith(manifest => manifest.Spec().Remove("delay"));

        outcome.AssertError("$.spec.delay", "is required for action 'delay'");
    }

    [Fact]
    public void Netem_is_refused_with_a_way_out()
    {
        var outcome = TranslateSeedWith(manifest => manifest.Spec()["action"] = "netem");

        outcome.AssertError("$.spec.action", "one NetworkChaos per effect");
    }

    [Theory]
    [InlineData("direction", "\"sideways\"", "must be one of: to, from, both")]
    [InlineData("device", "\"eth0\"", "not supported yet")]
    [InlineData("targetDevice", "\"eth1\"", "not supported yet")]
    [InlineData("remoteCluster", "\"east\"", "not supported")]
    public void Network_fields_faultline_cannot_honour_are_errors(string field, string value, string message)
    {
        var outcome = TranslateSeedWith(manifest => manifest.Spec()[field] = JsonNode.Parse(value));

        outcome.AssertError($"$.spec.{field}", message);
    }

    [Theory]
    [InlineData("\"1 mbps\"")]
    [InlineData("\"fast\"")]
    [InlineData("\"1.5mbps\"")]
    public void A_bandwidth_rate_without_a_known_unit_is_an_error(string rate)
    {
        var outcome = Translate(Network($$"""
            { "action": "bandwidth", "bandwidth": { "rate": {{rate}}, "limit": 1, "buffer": 1 }, {{Selection}} }
            """));

        outcome.AssertError("$.spec.bandwidth.rate", "bps, kbps, mbps, gbps or tbps");
    }

    private static JsonObject Network(string spec) => Chaos("NetworkChaos", spec);

    private static string Json(JsonElement element) => JsonSerializer.Serialize(element);
}
