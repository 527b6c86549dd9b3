using System.Text.Json.Nodes;
using Faultline.Domain.Experiments.ChaosMesh;
using Faultline.Domain.Validation;
using static Faultline.Domain.Tests.Experiments.ChaosMesh.ChaosMeshManifests;

namespace Faultline.Domain.Tests.Experiments.ChaosMesh;

public sealed class TranslationErrorTests
{
    [Fact]
    public void A_fault_without_a_duration_is_an_error()
    {
        var outcome = TranslateSeedWith(manifest =>
        {
            manifest.Spec().Remove("duration");
            manifest.Spec().Remove("scheduler");
        });

        outcome.AssertError("$.spec.duration", "every fault needs a duration (TTL)");
    }

    [Fact]
    public void A_scheduled_fault_without_a_duration_is_still_an_error()
    {
        TranslateSeedWith(manifest => manifest.Spec().Remove("duration"))
            .AssertError("$.spec.duration", "every fault needs a duration (TTL)");
    }

    [Theory]
    [InlineData("300", "a bare number has no unit")]
    [InlineData("\"300\"", "must be a duration")]
    [InlineData("\"five minutes\"", "must be a duration")]
    [InlineData("\"0s\"", "longer than zero")]
    [InlineData("\"50ms\"", "from 100ms to 86400s")]
    [InlineData("\"25h\"", "from 100ms to 86400s")]
    [InlineData("null", "every fault needs a duration (TTL)")]
    public void A_duration_that_is_not_a_positive_duration_string_is_an_error(string duration, string message)
    {
        TranslateSeedWith(manifest => manifest.Spec()["duration"] = JsonNode.Parse(duration))
            .AssertError("$.spec.duration", message);
    }

    [Theory]
    [InlineData("pingcap.com/v1alpha1", "before 1.0")]
    [InlineData("chaos-mesh.org/v1", "must be chaos-mesh.org/v1alpha1")]
    [InlineData("faultline.dev/v1", "must be chaos-mesh.org/v1alpha1")]
    public void A_wrong_api_version_is_an_error(string apiVersion, string message)
    {
        TranslateSeedWith(manifest => manifest["apiVersion"] = apiVersion).AssertError("$.apiVersion", message);
    }

    [Theory]
    [InlineData("payment.latency")]
    [InlineData("Payment-Latency")]
    [InlineData("-payment")]
    [InlineData("sixty-four-characters-are-fine-for-kubernetes-but-not-for-us-abc")]
    public void A_kubernetes_name_that_is_not_a_faultline_name_is_an_error(string name)
    {
        TranslateSeedWith(manifest => manifest["metadata"]!["name"] = name)
            .AssertError("$.metadata.name", "lower-case letters, digits and dashes");
    }

    [Fact]
    public void An_unknown_kind_is_an_error_that_lists_the_known_ones()
    {
        TranslateSeedWith(manifest => manifest["kind"] = "StressChaos")
            .AssertError("$.kind", "NetworkChaos, PodChaos, IOChaos, Schedule");
    }

    [Fact]
    public void An_unknown_action_is_an_error_that_lists_the_known_ones()
    {
        TranslateSeedWith(manifest => manifest.Spec()["action"] = "jam")
            .AssertError("$.spec.action", "delay, loss, duplicate, corrupt, partition, bandwidth");
    }

    [Theory]
    [InlineData("$", "owner", "is not a field of a Chaos Mesh manifest")]
    [InlineData("$.metadata", "colour", "is not a field of Kubernetes object metadata")]
    [InlineData("$.spec", "intensity", "is not a field of a Chaos Mesh NetworkChaos spec")]
    [InlineData("$.spec.selector", "zones", "is not a field of a Chaos Mesh selector")]
    [InlineData("$.spec.delay", "spread", "is not a field of a Chaos Mesh delay spec")]
    [InlineData("$.spec.scheduler", "timezone", "is not a field of a Chaos Mesh scheduler")]
    public void An_unknown_field_anywhere_is_an_error_at_its_path(string parent, string field, string message)
    {
        var outcome = TranslateSeedWith(manifest => At(manifest, parent)[field] = "x");

        outcome.AssertError($"{parent}.{field}", message);
    }

    [Fact]
    public void A_field_in_the_wrong_case_gets_a_hint()
    {
        var outcome = TranslateSeedWith(manifest =>
        {
            manifest.Spec()["Duration"] = manifest.Spec()["duration"]!.DeepClone();
            manifest.Spec().Remove("duration");
        });

        outcome.AssertError("$.spec.Duration", "did you mean 'duration'?");
    }

    [Theory]
    [InlineData("$.spec.mode", "3", "must be a string")]
    [InlineData("$.spec.selector", "[]", "must be an object")]
    [InlineData("$.spec.selector.namespaces", "\"payment-prod\"", "must be a list of strings")]
    [InlineData("$.metadata.labels", "[\"a\"]", "must be a map of strings")]
    [InlineData("$.spec", "\"delay\"", "must be an object")]
    public void A_field_of_the_wrong_type_is_an_error_at_its_path(string path, string value, string message)
    {
        var outcome = TranslateSeedWith(manifest =>
        {
            var parent = path[..path.LastIndexOf('.')];
            At(manifest, parent)[path[(path.LastIndexOf('.') + 1)..]] = JsonNode.Parse(value);
        });

        outcome.AssertError(path, message);
    }

    [Fact]
    public void Several_errors_are_reported_at_once_each_at_its_path()
    {
        var outcome = Translate("""
            {
              "apiVersion": "chaos-mesh.org/v2",
              "kind": "NetworkChaos",
              "metadata": { "name": "", "namespace": "shop" },
              "spec": {
                "action": "delay",
                "mode": "fixed",
                "value": "many",
                "selector": { "namespaces": ["shop"], "annotationSelectors": { "a": "b" } },
                "delay": { "latency": "10ms", "correlation": "always" },
                "priority": 1
              },
              "extra": true
            }
            """);

        Assert.Null(outcome.Translation.Experiment);
        Assert.Equal(
            new HashSet<string>
            {
                "$.apiVersion",
                "$.metadata.name",
                "$.spec.value",
                "$.spec.selector.annotationSelectors",
                "$.spec.delay.correlation",
                "$.spec.duration",
                "$.spec.priority",
                "$.extra",
            },
            outcome.Errors.Keys.ToHashSet());
    }

    [Fact]
    public void Status_annotations_and_server_written_metadata_are_ignored_with_warnings()
    {
        var outcome = TranslateSeedWith(manifest =>
        {
            manifest["status"] = JsonNode.Parse("""{ "experiment": { "desiredPhase": "Run" } }""");
            manifest["metadata"]!["annotations"] = JsonNode.Parse("""{ "experiment.chaos-mesh.org/pause": "false" }""");
            manifest["metadata"]!["uid"] = "4f6c";
            manifest["metadata"]!["resourceVersion"] = "1234";
            manifest["metadata"]!["creationTimestamp"] = "2024-06-01T00:00:00Z";
        });

        Assert.NotNull(outcome.Experiment);
        outcome.AssertWarning("$.status", "ignored");
        outcome.AssertWarning("$.metadata.annotations", "ignored");
        outcome.AssertWarning("$.metadata.uid", "ignored");
        outcome.AssertWarning("$.metadata.resourceVersion", "ignored");
        outcome.AssertWarning("$.metadata.creationTimestamp", "ignored");
    }

    [Fact]
    public void Metadata_labels_are_kept_beside_the_namespace_label()
    {
        var outcome = TranslateSeedWith(manifest => manifest["metadata"]!["labels"] = new JsonObject { ["team"] = "payments" });

        Assert.Equal(
            new Dictionary<string, string> { ["team"] = "payments", ["chaos-mesh.org/namespace"] = "chaos-testing" },
            outcome.Experiment.Metadata.Labels);
        Assert.Contains(new("$.metadata.labels.team", "$.metadata.labels.team"), outcome.Translation.Mapping);
    }

    [Fact]
    public void An_empty_manifest_reports_what_is_missing()
    {
        var outcome = Translate("{}");

        Assert.Null(outcome.Translation.Experiment);
        Assert.Equal(
            new HashSet<string> { "$.apiVersion", "$.kind", "$.metadata", "$.spec" },
            outcome.Errors.Keys.ToHashSet());
    }

    [Fact]
    public void Errors_the_caller_already_collected_do_not_fail_the_translation()
    {
        var errors = new ValidationErrors().Add("$.other", "an earlier problem");

        var translation = ChaosMeshTranslator.Translate(SeedManifest(), errors);

        Assert.NotNull(translation.Experiment);
        Assert.Equal(["$.other"], errors.ToDictionary().Keys);
    }

    private static JsonObject At(JsonObject manifest, string path)
    {
        JsonNode node = manifest;
        foreach (var name in path.Split('.').Skip(1))
        {
            node = node[name]!;
        }

        return node.AsObject();
    }
}
