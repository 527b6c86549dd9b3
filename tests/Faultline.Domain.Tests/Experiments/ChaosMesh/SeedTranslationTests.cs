using System.Text.Json.Nodes;
using Faultline.Domain.Experiments;
using Faultline.Domain.Experiments.ChaosMesh;
using static Faultline.Domain.Tests.Experiments.ChaosMesh.ChaosMeshManifests;

namespace Faultline.Domain.Tests.Experiments.ChaosMesh;

/// <summary>The seed's NetworkChaos must translate unchanged.</summary>
public sealed class SeedTranslationTests
{
    [Fact]
    public void The_seed_translates_without_errors()
    {
        var outcome = Translate(SeedManifest());

        Assert.Empty(outcome.Errors);
        Assert.NotNull(outcome.Translation.Experiment);
    }

    [Fact]
    public void The_seed_becomes_a_network_delay_of_200ms_with_50ms_jitter_and_full_correlation()
    {
        var fault = Translate(SeedManifest()).Fault;

        Assert.Equal("network.delay", fault.Injector);
        Assert.Equal("200ms", fault.Parameters.GetProperty("latency").GetString());
        Assert.Equal("50ms", fault.Parameters.GetProperty("jitter").GetString());
        Assert.Equal(100, fault.Parameters.GetProperty("correlation").GetDouble());
        Assert.Equal(3, fault.Parameters.EnumerateObject().Count());
    }

    [Fact]
    public void The_seed_hits_all_payment_service_pods_of_payment_prod()
    {
        var fault = Translate(SeedManifest()).Fault;

        Assert.Equal(["pod"], fault.Selector.Kinds);
        Assert.Equal(["payment-prod"], fault.Selector.Namespaces);
        Assert.Equal(new Dictionary<string, string> { ["app"] = "payment-service" }, fault.Selector.Labels);
        Assert.Empty(fault.Selector.Targets);
        Assert.Null(fault.Selector.Discovery);
        Assert.Equal(SelectionMode.All, fault.Mode);
    }

    [Fact]
    public void The_seed_lasts_300_seconds_and_runs_every_10_minutes_without_overlap()
    {
        var experiment = Translate(SeedManifest()).Experiment;

        Assert.Equal(TimeSpan.FromSeconds(300), Assert.Single(experiment.Faults).Duration);
        Assert.Equal(new Schedule("@every 10m", ConcurrencyPolicy.Forbid), experiment.Schedule);
    }

    [Fact]
    public void The_seed_keeps_its_name_and_its_namespace_as_a_label_and_has_no_team()
    {
        var metadata = Translate(SeedManifest()).Experiment.Metadata;

        Assert.Equal("payment-latency-injection", metadata.Name);
        Assert.Null(metadata.Team);
        Assert.Equal(new Dictionary<string, string> { ["chaos-mesh.org/namespace"] = "chaos-testing" }, metadata.Labels);
    }

    [Fact]
    public void The_seed_hypothesis_names_the_kind_the_object_and_the_injector()
    {
        var experiment = Translate(SeedManifest()).Experiment;

        Assert.Equal(
            "Translated from Chaos Mesh NetworkChaos 'payment-latency-injection': the system keeps its steady state while network.delay is applied.",
            experiment.Hypothesis);
    }

    [Fact]
    public void The_seed_has_no_steady_state_guardrails_or_rollbacks_and_the_warnings_say_why()
    {
        var outcome = Translate(SeedManifest());
        var experiment = outcome.Experiment;

        Assert.Empty(experiment.SteadyState);
        Assert.Empty(experiment.Guardrails);
        Assert.Empty(experiment.Rollbacks);
        outcome.AssertWarning("$.spec.steadyState", "no steady-state probes");
        outcome.AssertWarning("$.metadata.namespace", "not namespaced");
        Assert.Equal(2, outcome.Translation.Warnings.Count);
    }

    [Fact]
    public void The_seed_mapping_lists_every_source_field_and_where_it_went()
    {
        var mapping = Translate(SeedManifest()).Translation.Mapping;

        Assert.Equal(
            new HashSet<TranslatedField>
            {
                new("$.apiVersion", "$.apiVersion"),
                new("$.kind", "$.spec.method[0].fault"),
                new("$.metadata.name", "$.metadata.name"),
                new("$.metadata.namespace", "$.metadata.labels['chaos-mesh.org/namespace']"),
                new("$.spec.action", "$.spec.method[0].fault"),
                new("$.spec.mode", "$.spec.method[0].mode"),
                new("$.spec.selector.namespaces[0]", "$.spec.method[0].selector.namespaces[0]"),
                new("$.spec.selector.labelSelectors.app", "$.spec.method[0].selector.labels.app"),
                new("$.spec.delay.latency", "$.spec.method[0].params.latency"),
                new("$.spec.delay.correlation", "$.spec.method[0].params.correlation"),
                new("$.spec.delay.jitter", "$.spec.method[0].params.jitter"),
                new("$.spec.duration", "$.spec.method[0].duration"),
                new("$.spec.scheduler.cron", "$.spec.schedule.cron"),
            },
            mapping.ToHashSet());
        Assert.Equal(mapping.Count, mapping.Distinct().Count());
    }

    [Fact]
    public void Translating_leaves_the_manifest_as_it_was()
    {
        var manifest = SeedManifest();

        Translate(manifest);

        Assert.True(JsonNode.DeepEquals(SeedManifest(), manifest));
    }
}
