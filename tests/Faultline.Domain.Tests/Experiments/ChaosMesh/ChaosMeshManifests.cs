using System.Text.Json.Nodes;
using Faultline.Domain.Experiments;
using Faultline.Domain.Experiments.ChaosMesh;
using Faultline.Domain.Validation;

namespace Faultline.Domain.Tests.Experiments.ChaosMesh;

/// <summary>Manifests for the translator tests, written as the JSON their YAML parses to.</summary>
internal static class ChaosMeshManifests
{
    /// <summary>The seed's NetworkChaos, field for field (../shared/seed-000_b509f12daf5dbcb3.txt).</summary>
    public const string Seed = """
        {
          "apiVersion": "chaos-mesh.org/v1alpha1",
          "kind": "NetworkChaos",
          "metadata": {
            "name": "payment-latency-injection",
            "namespace": "chaos-testing"
          },
          "spec": {
            "action": "delay",
            "mode": "all",
            "selector": {
              "namespaces": [
                "payment-prod"
              ],
              "labelSelectors": {
                "app": "payment-service"
              }
            },
            "delay": {
              "latency": "200ms",
              "correlation": "100",
              "jitter": "50ms"
            },
            "duration": "300s",
            "scheduler": {
              "cron": "@every 10m"
            }
          }
        }
        """;

    public static JsonObject SeedManifest() => Parse(Seed);

    public static JsonObject Parse(string json) => JsonNode.Parse(json)!.AsObject();

    /// <summary>A chaos object of <paramref name="kind"/> in namespace <c>shop</c> whose spec is <paramref name="spec"/>.</summary>
    public static JsonObject Chaos(string kind, string spec) => Parse($$"""
        {
          "apiVersion": "chaos-mesh.org/v1alpha1",
          "kind": "{{kind}}",
          "metadata": { "name": "sample", "namespace": "shop" },
          "spec": {{spec}}
        }
        """);

    public static Outcome Translate(JsonObject manifest)
    {
        var errors = new ValidationErrors();
        var translation = ChaosMeshTranslator.Translate(manifest, errors);
        return new Outcome(translation, errors.ToDictionary());
    }

    public static Outcome Translate(string json) => Translate(Parse(json));

    public static Outcome TranslateSeedWith(Action<JsonObject> change)
    {
        var manifest = SeedManifest();
        change(manifest);
        return Translate(manifest);
    }

    public static JsonObject Spec(this JsonObject manifest) => manifest["spec"]!.AsObject();

    public sealed record Outcome(ChaosMeshTranslation Translation, IDictionary<string, string[]> Errors)
    {
        public ExperimentSpec Experiment
        {
            get
            {
                Assert.Empty(Errors);
                return Assert.IsType<ExperimentSpec>(Translation.Experiment);
            }
        }

        public FaultAction Fault => Assert.IsType<FaultStep>(Assert.Single(Experiment.Method)).Fault;

        /// <summary>Asserts the translation failed and <paramref name="path"/> has an error containing <paramref name="text"/>.</summary>
        public void AssertError(string path, string text)
        {
            Assert.Null(Translation.Experiment);
            Assert.True(Errors.TryGetValue(path, out var messages), $"No error at {path}; errors: {Describe()}");
            Assert.Contains(messages, message => message.Contains(text, StringComparison.Ordinal));
        }

        public void AssertWarning(string path, string text) =>
            Assert.Contains(Translation.Warnings, warning => warning.StartsWith(path + ": ", StringComparison.Ordinal) && warning.Contains(text, StringComparison.Ordinal));

        public string Describe() => string.Join("; ", Errors.Select(pair => $"{pair.Key}: {string.Join(" | ", pair.Value)}"));
    }
}
