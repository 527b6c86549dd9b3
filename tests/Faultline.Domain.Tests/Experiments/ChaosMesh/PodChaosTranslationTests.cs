using System.Text.Json;
using System.Text.Json.Nodes;
using static Faultline.Domain.Tests.Experiments.ChaosMesh.ChaosMeshManifests;

namespace Faultline.Domain.Tests.Experiments.ChaosMesh;

public sealed class PodChaosTranslationTests
{
    [Theory]
    [InlineData("pod-kill", "pod.kill")]
    [InlineData("pod-failure", "pod.failure")]
    [InlineData("container-kill", "container.kill")]
    public void Each_pod_action_becomes_its_injector(string action, string injector)
    {
        var outcome = Translate(Pod(action, """ "containerNames": ["app"] """));

        Assert.Equal(injector, outcome.Fault.Injector);
        Assert.Equal(["shop"], outcome.Fault.Selector.Namespaces);
        Assert.Equal(TimeSpan.FromMinutes(1), outcome.Fault.Duration);
    }

    [Fact]
    public void A_pod_kill_grace_period_becomes_grace_period_seconds()
    {
        var outcome = Translate(Pod("pod-kill", """ "gracePeriod": 30 """));

        Assert.Equal("""{"gracePeriodSeconds":30}""", JsonSerializer.Serialize(outcome.Fault.Parameters));
        Assert.Contains(new("$.spec.gracePeriod", "$.spec.method[0].params.gracePeriodSeconds"), outcome.Translation.Mapping);
    }

    [Fact]
    public void A_container_kill_names_its_containers()
    {
        var outcome = Translate(Pod("container-kill", """ "containerNames": ["app", "sidecar"] """));

        Assert.Equal("""{"containers":["app","sidecar"]}""", JsonSerializer.Serialize(outcome.Fault.Parameters));
        Assert.Contains(new("$.spec.containerNames[1]", "$.spec.method[0].params.containers[1]"), outcome.Translation.Mapping);
    }

    [Fact]
    public void The_chaos_mesh_1_container_name_is_read_as_a_one_container_list()
    {
        var outcome = Translate(Pod("container-kill", """ "containerName": "app" """));

        Assert.Equal("""{"containers":["app"]}""", JsonSerializer.Serialize(outcome.Fault.Parameters));
    }

    [Fact]
    public void A_container_kill_without_containers_is_an_error()
    {
        Translate(Pod("container-kill", """ "gracePeriod": 0 """)).AssertError("$.spec.containerNames", "is required for action 'container-kill'");
    }

    [Fact]
    public void A_zero_grace_period_on_another_action_is_ignored_with_a_warning()
    {
        var outcome = Translate(Pod("pod-failure", """ "gracePeriod": 0 """));

        Assert.Equal("{}", JsonSerializer.Serialize(outcome.Fault.Parameters));
        outcome.AssertWarning("$.spec.gracePeriod", "ignored");
    }

    [Fact]
    public void A_real_grace_period_on_another_action_is_an_error()
    {
        Translate(Pod("pod-failure", """ "gracePeriod": 30 """)).AssertError("$.spec.gracePeriod", "only applies to action 'pod-kill'");
    }

    [Fact]
    public void Container_names_on_a_whole_pod_action_are_ignored_with_a_warning()
    {
        var outcome = Translate(Pod("pod-kill", """ "containerNames": ["app"] """));

        Assert.Equal("{}", JsonSerializer.Serialize(outcome.Fault.Parameters));
        outcome.AssertWarning("$.spec.containerNames", "acts on whole pods");
    }

    [Fact]
    public void A_negative_grace_period_is_an_error()
    {
        Translate(Pod("pod-kill", """ "gracePeriod": -1 """)).AssertError("$.spec.gracePeriod", "whole number from 0");
    }

    [Fact]
    public void An_unknown_pod_action_is_an_error_that_lists_the_known_ones()
    {
        Translate(Pod("pod-restart", """ "gracePeriod": 30 """)).AssertError("$.spec.action", "pod-kill, pod-failure, container-kill");
    }

    private static JsonObject Pod(string action, string fields) => Chaos("PodChaos", $$"""
        {
          "action": "{{action}}",
          "mode": "one",
          "selector": { "namespaces": ["shop"] },
          "duration": "1m",
          {{fields}}
        }
        """);
}
