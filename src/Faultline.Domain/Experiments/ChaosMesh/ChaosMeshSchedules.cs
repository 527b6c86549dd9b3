namespace Faultline.Domain.Experiments.ChaosMesh;

/// <summary>
/// Chaos Mesh's two ways to repeat a fault as a Faultline <see cref="Schedule"/>: the <c>spec.scheduler</c>
/// of a 1.x chaos object, and the 2.x <c>Schedule</c> kind, which embeds the chaos spec it starts.
/// </summary>
internal static class ChaosMeshSchedules
{
    /// <summary>The Schedule types Faultline translates, and the field holding each one's chaos spec.</summary>
    private static readonly Dictionary<string, string> Embedded = new(StringComparer.Ordinal)
    {
        [ChaosSpecTranslator.NetworkChaos] = "networkChaos",
        [ChaosSpecTranslator.PodChaos] = "podChaos",
        [ChaosSpecTranslator.IOChaos] = "ioChaos",
    };

    /// <summary>Chaos Mesh's other Schedule types, and their fields, named so the refusal can be specific.</summary>
    private static readonly Dictionary<string, string> NotSupported = new(StringComparer.Ordinal)
    {
        ["AWSChaos"] = "awsChaos",
        ["AzureChaos"] = "azureChaos",
        ["BlockChaos"] = "blockChaos",
        ["DNSChaos"] = "dnsChaos",
        ["GCPChaos"] = "gcpChaos",
        ["HTTPChaos"] = "httpChaos",
        ["JVMChaos"] = "jvmChaos",
        ["KernelChaos"] = "kernelChaos",
        ["PhysicalMachineChaos"] = "physicalmachineChaos",
        ["StressChaos"] = "stressChaos",
        ["TimeChaos"] = "timeChaos",
        ["Workflow"] = "workflow",
    };

    private static readonly string[] Policies = [nameof(ConcurrencyPolicy.Forbid), nameof(ConcurrencyPolicy.Allow), nameof(ConcurrencyPolicy.Replace)];

    /// <summary>A 1.x <c>scheduler</c> (<c>cron</c> only); runs never overlap, as in Chaos Mesh.</summary>
    public static Schedule? FromScheduler(ManifestObject scheduler)
    {
        var cron = Cron(scheduler, "cron");
        scheduler.RejectUnknown("a Chaos Mesh scheduler");
        return cron is null ? null : new Schedule(cron, ConcurrencyPolicy.Forbid);
    }

    /// <summary>A Schedule's spec: when and how runs start, and the fault each run injects.</summary>
    public static (FaultAction? Fault, Schedule? Schedule) FromSchedule(ManifestObject spec, string? manifestNamespace)
    {
        var context = spec.Context;
        var cron = Cron(spec, "schedule");
        var policy = ConcurrencyPolicy.Forbid;
        var policyText = spec.Text("concurrencyPolicy");
        if (policyText is not null)
        {
            if (Enum.TryParse(policyText, ignoreCase: false, out policy) && Policies.Contains(policyText, StringComparer.Ordinal))
            {
                context.Map(spec.PathOf("concurrencyPolicy"), FaultlinePaths.ScheduleConcurrency);
            }
            else
            {
                context.Error(spec.PathOf("concurrencyPolicy"), $"must be one of: {string.Join(", ", Policies)}.");
            }
        }

        if (spec.WholeNumber("historyLimit", 1, int.MaxValue) is not null)
        {
            context.Warn(spec.PathOf("historyLimit"), "ignored: Faultline keeps the history of every run.");
        }

        if (spec.WholeNumber("startingDeadlineSeconds", 1, long.MaxValue) is not null)
        {
            context.Warn(spec.PathOf("startingDeadlineSeconds"), "ignored: Faultline schedules have no starting deadline.");
        }

        var type = spec.Text("type", required: true, $"is required: {string.Join(", ", Embedded.Keys)}.");
        string? field = null;
        if (type is not null)
        {
            if (Embedded.TryGetValue(type, out field))
            {
                context.Map(spec.PathOf("type"), FaultlinePaths.Injector);
            }
            else if (type == "Workflow")
            {
                context.Error(spec.PathOf("type"), "Workflow schedules are not supported: a workflow chains several chaos experiments, and Faultline translates one fault; translate each chaos of the workflow on its own.");
            }
            else if (NotSupported.ContainsKey(type))
            {
                context.Error(spec.PathOf("type"), $"'{type}' is not supported yet: Faultline translates {string.Join(", ", Embedded.Keys)}.");
            }
            else
            {
                context.Error(spec.PathOf("type"), $"must be one of: {string.Join(", ", Embedded.Keys)}.");
            }
        }

        foreach (var other in Embedded.Values.Concat(NotSupported.Values))
        {
            if (other != field && spec.Has(other) && field is not null)
            {
                context.Error(spec.PathOf(other), $"does not match spec.type '{type}': a Schedule starts one kind of chaos.");
            }
        }

        FaultAction? fault = null;
        if (type is not null && field is not null && spec.Child(field, required: true, $"is required for type '{type}'.") is { } embedded)
        {
            embedded.Refuse("scheduler", "is not allowed inside a Schedule: spec.schedule says when it runs.");
            fault = ChaosSpecTranslator.Translate(type, embedded, manifestNamespace, scheduled: true);
            embedded.RejectUnknown($"a Chaos Mesh {type} spec");
        }

        spec.RejectUnknown("a Chaos Mesh Schedule spec");
        return (fault, cron is null ? null : new Schedule(cron, policy));
    }

    private static string? Cron(ManifestObject owner, string name)
    {
        var cron = owner.Text(name, required: true, "is required: when to run, e.g. '@every 10m' or '5 * * * *'.");
        if (cron is null)
        {
            return null;
        }

        if (CronSchedules.Problem(cron) is { } problem)
        {
            owner.Context.Error(owner.PathOf(name), problem);
            return null;
        }

        owner.Context.Map(owner.PathOf(name), FaultlinePaths.ScheduleCron);
        return cron;
    }
}
