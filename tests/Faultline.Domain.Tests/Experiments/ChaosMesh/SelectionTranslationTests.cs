using System.Text.Json.Nodes;
using Faultline.Domain.Experiments;
using static Faultline.Domain.Tests.Experiments.ChaosMesh.ChaosMeshManifests;

namespace Faultline.Domain.Tests.Experiments.ChaosMesh;

public sealed class SelectionTranslationTests
{
    [Theory]
    [InlineData("one", null, SelectionKind.One, null)]
    [InlineData("all", null, SelectionKind.All, null)]
    [InlineData("fixed", "3", SelectionKind.Fixed, 3)]
    [InlineData("fixed-percent", "50", SelectionKind.FixedPercent, 50)]
    [InlineData("random-max-percent", "100", SelectionKind.RandomMaxPercent, 100)]
    public void Every_mode_becomes_its_selection_mode(string mode, string? value, SelectionKind kind, int? count)
    {
        var outcome = TranslateSeedWith(manifest =>
        {
            manifest.Spec()["mode"] = mode;
            if (value is not null)
            {
                manifest.Spec()["value"] = value;
            }
        });

        Assert.Equal(new SelectionMode(kind, count), outcome.Fault.Mode);
        if (value is not null)
        {
            Assert.Contains(new("$.spec.value", "$.spec.method[0].value"), outcome.Translation.Mapping);
        }
    }

    [Fact]
    public void A_value_given_as_a_number_is_accepted()
    {
        var outcome = TranslateSeedWith(manifest =>
        {
            manifest.Spec()["mode"] = "fixed";
            manifest.Spec()["value"] = 2;
        });

        Assert.Equal(new SelectionMode(SelectionKind.Fixed, 2), outcome.Fault.Mode);
    }

    [Fact]
    public void A_value_on_a_mode_that_takes_none_is_ignored_with_a_warning()
    {
        var outcome = TranslateSeedWith(manifest => manifest.Spec()["value"] = "3");

        Assert.Equal(SelectionMode.All, outcome.Fault.Mode);
        outcome.AssertWarning("$.spec.value", "takes no value");
    }

    [Fact]
    public void An_empty_value_on_a_mode_that_takes_none_says_nothing()
    {
        var outcome = TranslateSeedWith(manifest => manifest.Spec()["value"] = "");

        Assert.Equal(SelectionMode.All, outcome.Fault.Mode);
        Assert.DoesNotContain(outcome.Translation.Warnings, warning => warning.StartsWith("$.spec.value", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("fixed", "0", "whole number of pods from 1 to 100000")]
    [InlineData("fixed", "-2", "whole number of pods from 1 to 100000")]
    [InlineData("fixed", "two", "whole number of pods from 1 to 100000")]
    [InlineData("fixed", "1.5", "whole number of pods from 1 to 100000")]
    [InlineData("fixed", "100001", "whole number of pods from 1 to 100000")]
    [InlineData("fixed-percent", "0", "whole percentage from 1 to 100")]
    [InlineData("fixed-percent", "101", "whole percentage from 1 to 100")]
    [InlineData("random-max-percent", "150", "whole percentage from 1 to 100")]
    [InlineData("random-max-percent", "", "is required")]
    public void A_bad_mode_value_is_an_error_at_the_value(string mode, string value, string message)
    {
        var outcome = TranslateSeedWith(manifest =>
        {
            manifest.Spec()["mode"] = mode;
            manifest.Spec()["value"] = value;
        });

        outcome.AssertError("$.spec.value", message);
    }

    [Fact]
    public void A_mode_that_needs_a_value_without_one_is_an_error()
    {
        TranslateSeedWith(manifest => manifest.Spec()["mode"] = "fixed").AssertError("$.spec.value", "is required");
    }

    [Fact]
    public void An_unknown_mode_is_an_error_that_lists_the_modes()
    {
        TranslateSeedWith(manifest => manifest.Spec()["mode"] = "some")
            .AssertError("$.spec.mode", "one, all, fixed, fixed-percent, random-max-percent");
    }

    [Fact]
    public void A_missing_mode_is_an_error()
    {
        TranslateSeedWith(manifest => manifest.Spec().Remove("mode")).AssertError("$.spec.mode", "is required");
    }

    [Fact]
    public void Pods_listed_by_namespace_become_namespace_slash_name_targets()
    {
        var outcome = TranslateSeedWith(manifest => manifest.Spec()["selector"] = JsonNode.Parse("""
            { "pods": { "payment-prod": ["payment-0", "payment-1"], "edge": ["gateway-0"] } }
            """));

        Assert.Equal(["payment-prod/payment-0", "payment-prod/payment-1", "edge/gateway-0"], outcome.Fault.Selector.Targets);
        Assert.Empty(outcome.Fault.Selector.Namespaces);
        var mapping = outcome.Translation.Mapping;
        Assert.Contains(new("$.spec.selector.pods['payment-prod'][1]", "$.spec.method[0].selector.targets[1]"), mapping);
        Assert.Contains(new("$.spec.selector.pods.edge[0]", "$.spec.method[0].selector.targets[2]"), mapping);
    }

    [Fact]
    public void Pods_must_be_listed_by_name()
    {
        TranslateSeedWith(manifest => manifest.Spec()["selector"] = JsonNode.Parse("""{ "pods": { "shop": "cart-0" } }"""))
            .AssertError("$.spec.selector.pods.shop", "must be a list of strings");
    }

    [Theory]
    [InlineData("fieldSelectors", """{ "metadata.name": "cart-0" }""")]
    [InlineData("nodeSelectors", """{ "zone": "a" }""")]
    [InlineData("annotationSelectors", """{ "owner": "team-a" }""")]
    [InlineData("podPhaseSelectors", """["Running"]""")]
    [InlineData("expressionSelectors", """[{ "key": "tier", "operator": "In", "values": ["web"] }]""")]
    [InlineData("nodes", """["node-1"]""")]
    public void Selectors_faultline_cannot_honour_yet_are_errors_at_their_paths(string selector, string value)
    {
        var outcome = TranslateSeedWith(manifest => manifest.Spec()["selector"]![selector] = JsonNode.Parse(value));

        outcome.AssertError($"$.spec.selector.{selector}", "not supported yet");
    }

    [Fact]
    public void Without_namespaces_the_manifest_namespace_is_used_as_in_chaos_mesh()
    {
        var outcome = TranslateSeedWith(manifest => manifest.Spec()["selector"]!.AsObject().Remove("namespaces"));

        Assert.Equal(["chaos-testing"], outcome.Fault.Selector.Namespaces);
        outcome.AssertWarning("$.spec.selector.namespaces", "namespace 'chaos-testing'");
        Assert.Contains(new("$.metadata.namespace", "$.spec.method[0].selector.namespaces[0]"), outcome.Translation.Mapping);
    }

    [Fact]
    public void Without_any_namespace_the_selection_is_refused_rather_than_guessed()
    {
        var outcome = TranslateSeedWith(manifest =>
        {
            manifest.Spec()["selector"]!.AsObject().Remove("namespaces");
            manifest["metadata"]!.AsObject().Remove("namespace");
        });

        outcome.AssertError("$.spec.selector.namespaces", "is required when metadata.namespace is not given");
    }

    [Fact]
    public void A_missing_selector_is_an_error()
    {
        TranslateSeedWith(manifest => manifest.Spec().Remove("selector")).AssertError("$.spec.selector", "is required");
    }

    [Fact]
    public void Label_keys_with_dots_and_slashes_are_mapped_in_bracket_notation()
    {
        var outcome = TranslateSeedWith(manifest => manifest.Spec()["selector"]!["labelSelectors"] = new JsonObject
        {
            ["app.kubernetes.io/name"] = "payment",
        });

        Assert.Equal("payment", outcome.Fault.Selector.Labels["app.kubernetes.io/name"]);
        Assert.Contains(
            new("$.spec.selector.labelSelectors['app.kubernetes.io/name']", "$.spec.method[0].selector.labels['app.kubernetes.io/name']"),
            outcome.Translation.Mapping);
    }

    [Fact]
    public void A_label_selector_value_must_be_a_string()
    {
        TranslateSeedWith(manifest => manifest.Spec()["selector"]!["labelSelectors"]!["app"] = 1)
            .AssertError("$.spec.selector.labelSelectors.app", "must be a string");
    }
}
