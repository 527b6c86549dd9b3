using System.Text.Json.Nodes;
using Faultline.Domain.Experiments;
using static Faultline.Domain.Tests.Experiments.ChaosMesh.ChaosMeshManifests;

namespace Faultline.Domain.Tests.Experiments.ChaosMesh;

public sealed class ScheduleTranslationTests
{
    [Theory]
    [InlineData("NetworkChaos", "networkChaos", """ "action": "delay", "delay": { "latency": "10ms", "correlation": "100", "jitter": "0ms" } """, "network.delay")]
    [InlineData("PodChaos", "podChaos", """ "action": "pod-kill" """, "pod.kill")]
    [InlineData("IOChaos", "ioChaos", """ "action": "fault", "errno": 5, "volumePath": "/data" """, "io.fault")]
    public void A_schedule_of_each_type_translates_its_embedded_chaos(string type, string field, string fields, string injector)
    {
        var outcome = Translate(Schedule(type, field, fields));

        var experiment = outcome.Experiment;
        Assert.Equal(new Schedule("5 * * * *", ConcurrencyPolicy.Allow), experiment.Schedule);
        Assert.Equal(injector, outcome.Fault.Injector);
        Assert.Equal(TimeSpan.FromSeconds(12), outcome.Fault.Duration);
        Assert.Equal(["default"], outcome.Fault.Selector.Namespaces);
        Assert.Equal($"Translated from Chaos Mesh Schedule 'schedule-delay-example': the system keeps its steady state while {injector} is applied.", experiment.Hypothesis);
        var mapping = outcome.Translation.Mapping;
        Assert.Contains(new("$.spec.schedule", "$.spec.schedule.cron"), mapping);
        Assert.Contains(new("$.spec.concurrencyPolicy", "$.spec.schedule.concurrency"), mapping);
        Assert.Contains(new("$.spec.type", "$.spec.method[0].fault"), mapping);
        Assert.Contains(new($"$.spec.{field}.action", "$.spec.method[0].fault"), mapping);
        Assert.Contains(new($"$.spec.{field}.duration", "$.spec.method[0].duration"), mapping);
    }

    [Theory]
    [InlineData("Forbid", ConcurrencyPolicy.Forbid)]
    [InlineData("Allow", ConcurrencyPolicy.Allow)]
    [InlineData("Replace", ConcurrencyPolicy.Replace)]
    public void Each_concurrency_policy_is_kept(string policy, ConcurrencyPolicy expected)
    {
        var manifest = NetworkSchedule();
        manifest.Spec()["concurrencyPolicy"] = policy;

        Assert.Equal(expected, Translate(manifest).Experiment.Schedule!.Concurrency);
    }

    [Fact]
    public void Without_a_concurrency_policy_runs_never_overlap()
    {
        var manifest = NetworkSchedule();
        manifest.Spec().Remove("concurrencyPolicy");

        Assert.Equal(ConcurrencyPolicy.Forbid, Translate(manifest).Experiment.Schedule!.Concurrency);
    }

    [Fact]
    public void An_unknown_concurrency_policy_is_an_error()
    {
        var manifest = NetworkSchedule();
        manifest.Spec()["concurrencyPolicy"] = "forbid";

        Translate(manifest).AssertError("$.spec.concurrencyPolicy", "Forbid, Allow, Replace");
    }

    [Fact]
    public void History_limit_and_starting_deadline_are_ignored_with_warnings()
    {
        var manifest = NetworkSchedule();
        manifest.Spec()["startingDeadlineSeconds"] = 60;

        var outcome = Translate(manifest);

        Assert.NotNull(outcome.Experiment);
        outcome.AssertWarning("$.spec.historyLimit", "ignored");
        outcome.AssertWarning("$.spec.startingDeadlineSeconds", "ignored");
    }

    [Fact]
    public void A_workflow_schedule_is_refused_clearly()
    {
        var outcome = Translate(Parse("""
            {
              "apiVersion": "chaos-mesh.org/v1alpha1",
              "kind": "Schedule",
              "metadata": { "name": "nightly" },
              "spec": {
                "schedule": "@daily",
                "type": "Workflow",
                "workflow": { "entry": "entry", "templates": [] }
              }
            }
            """));

        outcome.AssertError("$.spec.type", "Workflow schedules are not supported");
    }

    [Fact]
    public void A_workflow_manifest_is_refused_clearly()
    {
        var manifest = NetworkSchedule();
        manifest["kind"] = "Workflow";

        Translate(manifest).AssertError("$.kind", "Workflows are not supported");
    }

    [Fact]
    public void Another_chaos_type_is_refused_as_not_supported_yet()
    {
        var manifest = NetworkSchedule();
        manifest.Spec()["type"] = "StressChaos";

        Translate(manifest).AssertError("$.spec.type", "'StressChaos' is not supported yet");
    }

    [Fact]
    public void A_chaos_spec_that_does_not_match_the_type_is_an_error()
    {
        var manifest = NetworkSchedule();
        manifest.Spec()["podChaos"] = new JsonObject { ["action"] = "pod-kill" };

        Translate(manifest).AssertError("$.spec.podChaos", "does not match spec.type 'NetworkChaos'");
    }

    [Fact]
    public void The_chaos_spec_of_the_type_is_required()
    {
        var manifest = NetworkSchedule();
        manifest.Spec().Remove("networkChaos");

        Translate(manifest).AssertError("$.spec.networkChaos", "is required for type 'NetworkChaos'");
    }

    [Fact]
    public void A_scheduled_fault_still_needs_a_duration()
    {
        var manifest = NetworkSchedule();
        manifest.Spec()["networkChaos"]!.AsObject().Remove("duration");

        Translate(manifest).AssertError("$.spec.networkChaos.duration", "every fault needs a duration (TTL)");
    }

    [Theory]
    [InlineData("0 30 * * * *", "six fields")]
    [InlineData("every hour", "must be 5 cron fields")]
    [InlineData("@every", "must be 5 cron fields")]
    [InlineData("@every soon", "needs a duration of at least 10s")]
    [InlineData("@every 5s", "needs a duration of at least 10s")]
    [InlineData("@fortnightly", "must be 5 cron fields")]
    [InlineData("61 * * * *", "out of range")]
    [InlineData("CRON_TZ=Europe/Paris 0 6 * * *", "time-zone prefixes")]
    public void A_schedule_faultline_cannot_run_is_an_error(string cron, string message)
    {
        var manifest = NetworkSchedule();
        manifest.Spec()["schedule"] = cron;

        Translate(manifest).AssertError("$.spec.schedule", message);
    }

    [Theory]
    [InlineData("@hourly")]
    [InlineData("@every 1h30m")]
    [InlineData("*/15 9-17 * * MON-FRI")]
    public void Macros_intervals_and_five_field_crons_are_accepted(string cron)
    {
        var manifest = NetworkSchedule();
        manifest.Spec()["schedule"] = cron;

        Assert.Equal(cron, Translate(manifest).Experiment.Schedule!.Cron);
    }

    [Fact]
    public void A_scheduler_inside_a_schedule_is_an_error()
    {
        var manifest = NetworkSchedule();
        manifest.Spec()["networkChaos"]!["scheduler"] = new JsonObject { ["cron"] = "@hourly" };

        Translate(manifest).AssertError("$.spec.networkChaos.scheduler", "not allowed inside a Schedule");
    }

    private static JsonObject NetworkSchedule() => Schedule(
        "NetworkChaos",
        "networkChaos",
        """ "action": "delay", "delay": { "latency": "10ms", "correlation": "100", "jitter": "0ms" } """);

    /// <summary>The Chaos Mesh documentation's Schedule example, with the chaos fields of each test.</summary>
    private static JsonObject Schedule(string type, string field, string fields) => Parse($$"""
        {
          "apiVersion": "chaos-mesh.org/v1alpha1",
          "kind": "Schedule",
          "metadata": { "name": "schedule-delay-example" },
          "spec": {
            "schedule": "5 * * * *",
            "historyLimit": 2,
            "concurrencyPolicy": "Allow",
            "type": "{{type}}",
            "{{field}}": {
              "mode": "one",
              "selector": { "namespaces": ["default"], "labelSelectors": { "app": "web-show" } },
              "duration": "12s",
              {{fields}}
            }
          }
        }
        """);
}
