using System.Globalization;
using System.Text.Json.Nodes;
using Faultline.Domain.Experiments;
using Faultline.Domain.Validation;
using static Faultline.Domain.Tests.Experiments.ChaosMesh.ChaosMeshManifests;

namespace Faultline.Domain.Tests.Experiments.ChaosMesh;

/// <summary>
/// The API stores a translated experiment as it is, so it must be one a Faultline document could express:
/// written out and read back, it passes the Faultline reader unchanged, and the mapping's targets exist.
/// </summary>
public sealed class RoundTripTests
{
    public static TheoryData<string> Manifests => new()
    {
        Seed,
        """
        {
          "apiVersion": "chaos-mesh.org/v1alpha1", "kind": "NetworkChaos",
          "metadata": { "name": "db-partition", "namespace": "shop", "labels": { "team": "payments" } },
          "spec": {
            "action": "partition", "mode": "fixed", "value": "2", "direction": "both",
            "selector": { "pods": { "shop": ["cart-0", "cart-1"] } },
            "target": { "mode": "one", "selector": { "namespaces": ["db"], "labelSelectors": { "app": "postgres" } } },
            "externalTargets": ["10.0.0.0/8"],
            "duration": "2m"
          }
        }
        """,
        """
        {
          "apiVersion": "chaos-mesh.org/v1alpha1", "kind": "Schedule",
          "metadata": { "name": "nightly-io-faults", "namespace": "shop" },
          "spec": {
            "schedule": "0 3 * * *", "concurrencyPolicy": "Replace", "type": "IOChaos",
            "ioChaos": {
              "action": "fault", "mode": "random-max-percent", "value": "50",
              "selector": { "labelSelectors": { "app": "db" } },
              "volumePath": "/data", "errno": 5, "percent": 50, "methods": ["read"],
              "duration": "90s"
            }
          }
        }
        """,
    };

    [Theory]
    [MemberData(nameof(Manifests))]
    public void A_translated_experiment_reads_back_unchanged_as_a_faultline_document(string manifest)
    {
        var experiment = Translate(manifest).Experiment;
        var errors = new ValidationErrors();

        var read = ExperimentSpecReader.Read(ExperimentSpecWriter.Write(experiment), errors);

        Assert.Empty(errors.ToDictionary());
        Assert.NotNull(read);
        Assert.Equal(
            ExperimentSpecWriter.Write(experiment).ToJsonString(),
            ExperimentSpecWriter.Write(read).ToJsonString());
    }

    [Theory]
    [MemberData(nameof(Manifests))]
    public void Every_mapping_target_exists_in_the_written_document(string manifest)
    {
        var outcome = Translate(manifest);
        var document = ExperimentSpecWriter.Write(outcome.Experiment);

        foreach (var field in outcome.Translation.Mapping)
        {
            Assert.True(Resolve(document, field.Target) is not null, $"{field.Source} maps to {field.Target}, which the document does not have.");
        }
    }

    /// <summary>Follows a path of the forms the translator writes: <c>.name</c>, <c>['name']</c> and <c>[index]</c>.</summary>
    private static JsonNode? Resolve(JsonNode root, string path)
    {
        JsonNode? node = root;
        var i = 1;
        while (node is not null && i < path.Length)
        {
            if (path[i] == '.')
            {
                var end = path.IndexOfAny(['.', '['], i + 1);
                end = end < 0 ? path.Length : end;
                node = node is JsonObject obj ? obj[path[(i + 1)..end]] : null;
                i = end;
            }
            else if (path[i..].StartsWith("['", StringComparison.Ordinal))
            {
                var end = path.IndexOf("']", i, StringComparison.Ordinal);
                node = node is JsonObject obj ? obj[path[(i + 2)..end]] : null;
                i = end + 2;
            }
            else
            {
                var end = path.IndexOf(']', i);
                node = node is JsonArray array ? array[int.Parse(path[(i + 1)..end], CultureInfo.InvariantCulture)] : null;
                i = end + 1;
            }
        }

        return node;
    }
}
