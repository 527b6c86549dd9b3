using System.Text.Json;
using Faultline.Engine.Runs;
using Faultline.Sdk.Targets;

namespace Faultline.Engine.Tests.Runs;

/// <summary>Targets as a run stores them, and as policies see them.</summary>
public sealed class RunPlannerTargetTests
{
    private static readonly Target Pod = new(
        "pod",
        "web-1",
        new Dictionary<string, string> { ["app"] = "web", ["env"] = "staging" },
        new Dictionary<string, string> { ["namespace"] = "shop", ["node"] = "n1" });

    [Fact]
    public void A_stored_target_reads_back_whole()
    {
        var read = RunPlanner.ReadTarget(RunPlanner.WriteTarget(Pod));

        Assert.Equal("pod", read.Kind);
        Assert.Equal("web-1", read.Id);
        Assert.Equal(Pod.Labels.OrderBy(p => p.Key, StringComparer.Ordinal), read.Labels.OrderBy(p => p.Key, StringComparer.Ordinal));
        Assert.Equal(Pod.Attributes.OrderBy(p => p.Key, StringComparer.Ordinal), read.Attributes.OrderBy(p => p.Key, StringComparer.Ordinal));
    }

    [Fact]
    public void A_target_is_stored_with_camel_case_fields()
    {
        using var json = JsonDocument.Parse(RunPlanner.WriteTarget(Pod));

        Assert.Equal(["kind", "id", "labels", "attributes"], json.RootElement.EnumerateObject().Select(p => p.Name));
        Assert.Equal("web", json.RootElement.GetProperty("labels").GetProperty("app").GetString());
    }

    [Fact]
    public void A_stored_null_is_not_a_target() =>
        Assert.Throws<JsonException>(() => RunPlanner.ReadTarget("null"));

    [Fact]
    public void A_planned_target_takes_its_namespace_from_the_attribute_first()
    {
        var planned = RunPlanner.ToPlanned(Pod with { Labels = new Dictionary<string, string> { ["namespace"] = "other" } });

        Assert.Equal("pod/web-1", planned.Key);
        Assert.Equal("shop", planned.Namespace);
        Assert.Equal("other", planned.Labels["namespace"]);
    }

    [Fact]
    public void A_planned_target_falls_back_to_the_namespace_label_and_else_has_none()
    {
        var labelled = Target.Of("pod", "web-2") with { Labels = new Dictionary<string, string> { ["namespace"] = "billing" } };

        Assert.Equal("billing", RunPlanner.ToPlanned(labelled).Namespace);
        Assert.Null(RunPlanner.ToPlanned(Target.Of("process", "42")).Namespace);
    }
}
