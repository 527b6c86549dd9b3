using System.Text.Json;
using System.Text.Json.Nodes;
using static Faultline.Domain.Tests.Experiments.ChaosMesh.ChaosMeshManifests;

namespace Faultline.Domain.Tests.Experiments.ChaosMesh;

public sealed class IOChaosTranslationTests
{
    [Theory]
    [InlineData("latency", """ "delay": "100ms" """, "io.latency")]
    [InlineData("fault", """ "errno": 5 """, "io.fault")]
    [InlineData("attrOverride", """ "attr": { "perm": 72 } """, "io.attr-override")]
    [InlineData("mistake", """ "mistake": { "filling": "zero", "maxOccurrences": 1, "maxLength": 10 } """, "io.mistake")]
    public void Each_io_action_becomes_its_injector(string action, string fields, string injector)
    {
        var outcome = Translate(IO(action, fields));

        Assert.Equal(injector, outcome.Fault.Injector);
        Assert.Equal("/var/lib/data", outcome.Fault.Parameters.GetProperty("volumePath").GetString());
    }

    [Fact]
    public void An_io_fault_keeps_its_errno_percent_path_methods_and_containers()
    {
        var outcome = Translate(IO("fault", """
            "errno": 5,
            "percent": 50,
            "path": "/var/lib/data/**/*",
            "methods": ["read", "write"],
            "containerNames": ["db"]
            """));

        Assert.Equal(
            """{"errno":5,"path":"/var/lib/data/**/*","percent":50,"methods":["read","write"],"volumePath":"/var/lib/data","containers":["db"]}""",
            JsonSerializer.Serialize(outcome.Fault.Parameters));
        var mapping = outcome.Translation.Mapping;
        Assert.Contains(new("$.spec.errno", "$.spec.method[0].params.errno"), mapping);
        Assert.Contains(new("$.spec.percent", "$.spec.method[0].params.percent"), mapping);
        Assert.Contains(new("$.spec.methods[1]", "$.spec.method[0].params.methods[1]"), mapping);
        Assert.Contains(new("$.spec.containerNames[0]", "$.spec.method[0].params.containers[0]"), mapping);
    }

    [Fact]
    public void Errno_and_percent_written_as_chaos_mesh_1_strings_are_read_as_numbers()
    {
        var outcome = Translate(IO("fault", """ "errno": "5", "percent": "50" """));

        Assert.Equal(5, outcome.Fault.Parameters.GetProperty("errno").GetInt32());
        Assert.Equal(50, outcome.Fault.Parameters.GetProperty("percent").GetInt32());
    }

    [Fact]
    public void An_attribute_override_keeps_its_attributes_and_times()
    {
        var outcome = Translate(IO("attrOverride", """ "attr": { "perm": 72, "kind": "regularFile", "atime": { "sec": 10, "nsec": 5 } } """));

        Assert.Equal(
            """{"attr":{"perm":72,"atime":{"sec":10,"nsec":5},"kind":"regularFile"},"volumePath":"/var/lib/data"}""",
            JsonSerializer.Serialize(outcome.Fault.Parameters));
    }

    [Fact]
    public void A_mistake_keeps_its_filling_and_sizes()
    {
        var outcome = Translate(IO("mistake", """ "mistake": { "filling": "random", "maxOccurrences": 2, "maxLength": 64 } """));

        Assert.Equal(
            """{"filling":"random","maxOccurrences":2,"maxLength":64}""",
            JsonSerializer.Serialize(outcome.Fault.Parameters.GetProperty("mistake")));
    }

    [Fact]
    public void An_io_fault_needs_an_errno()
    {
        Translate(IO("fault", """ "percent": 50 """)).AssertError("$.spec.errno", "is required for action 'fault'");
    }

    [Fact]
    public void A_field_of_another_io_action_is_an_error()
    {
        Translate(IO("latency", """ "delay": "1s", "errno": 5 """)).AssertError("$.spec.errno", "only applies to action 'fault'");
    }

    [Fact]
    public void An_unknown_io_method_is_an_error_at_its_index()
    {
        Translate(IO("fault", """ "errno": 5, "methods": ["read", "teleport"] """)).AssertError("$.spec.methods[1]", "is not an I/O method");
    }

    [Theory]
    [InlineData("0")]
    [InlineData("101")]
    [InlineData("\"half\"")]
    public void A_percent_outside_1_to_100_is_an_error(string percent)
    {
        Translate(IO("fault", $""" "errno": 5, "percent": {percent} """)).AssertError("$.spec.percent", "from 1 to 100");
    }

    [Fact]
    public void An_io_chaos_needs_its_volume_path()
    {
        var manifest = IO("latency", """ "delay": "1s" """);
        manifest.Spec().Remove("volumePath");

        Translate(manifest).AssertError("$.spec.volumePath", "is required");
    }

    [Fact]
    public void The_chaos_mesh_1_io_chaos_kind_is_refused_with_a_hint()
    {
        var manifest = IO("latency", """ "delay": "1s" """);
        manifest["kind"] = "IoChaos";

        Translate(manifest).AssertError("$.kind", "IOChaos (Chaos Mesh 2.x)");
    }

    private static JsonObject IO(string action, string fields) => Chaos("IOChaos", $$"""
        {
          "action": "{{action}}",
          "mode": "all",
          "selector": { "labelSelectors": { "app": "db" } },
          "volumePath": "/var/lib/data",
          "duration": "45s",
          {{fields}}
        }
        """);
}
