namespace Faultline.Domain.Experiments.ChaosMesh;

/// <summary>A PodChaos spec's action and action fields as a <c>pod.*</c> or <c>container.*</c> injector and its parameters.</summary>
internal static class PodChaosParameters
{
    private static readonly Dictionary<string, string> Injectors = new(StringComparer.Ordinal)
    {
        ["pod-kill"] = "pod.kill",
        ["pod-failure"] = "pod.failure",
        ["container-kill"] = "container.kill",
    };

    /// <summary>Returns the injector, or null when the action is missing or unknown (already reported).</summary>
    public static string? Translate(ManifestObject spec, ParameterWriter parameters)
    {
        var context = spec.Context;
        var action = spec.Text("action", required: true, $"is required: {string.Join(", ", Injectors.Keys)}.");
        string? injector = null;
        if (action is not null)
        {
            if (Injectors.TryGetValue(action, out injector))
            {
                context.Map(spec.PathOf("action"), FaultlinePaths.Injector);
            }
            else
            {
                context.Error(spec.PathOf("action"), $"must be one of: {string.Join(", ", Injectors.Keys)}.");
            }
        }

        // With no usable action the fields are still read, for their own errors, but not judged against it.
        var known = injector is null ? null : action;
        GracePeriod(spec, known, parameters);
        Containers(spec, known, parameters);
        return injector;
    }

    private static void GracePeriod(ManifestObject spec, string? action, ParameterWriter parameters)
    {
        if (spec.WholeNumber("gracePeriod", 0, long.MaxValue) is not { } seconds || action is null)
        {
            return;
        }

        if (action == "pod-kill")
        {
            parameters.Set("gracePeriodSeconds", seconds, spec.PathOf("gracePeriod"));
        }
        else if (seconds == 0)
        {
            // Chaos Mesh serialises gracePeriod: 0 on every PodChaos it returns, whatever the action.
            spec.Context.Warn(spec.PathOf("gracePeriod"), "ignored: only pod-kill uses a grace period, and 0 is Chaos Mesh's default.");
        }
        else
        {
            spec.Context.Error(spec.PathOf("gracePeriod"), $"only applies to action 'pod-kill', and this action is '{action}'.");
        }
    }

    /// <summary>
    /// <c>containerNames</c> (Chaos Mesh 2.x) or <c>containerName</c> (1.x) become <c>params.containers</c>;
    /// container-kill needs them, the pod-level actions ignore them as Chaos Mesh does.
    /// </summary>
    private static void Containers(ManifestObject spec, string? action, ParameterWriter parameters)
    {
        var context = spec.Context;
        var names = spec.TextList("containerNames");
        var single = spec.Text("containerName");
        var given = spec.Has("containerNames") || spec.Has("containerName");
        if (spec.Has("containerNames") && spec.Has("containerName"))
        {
            context.Error(spec.PathOf("containerName"), "give containerNames only: containerName is its Chaos Mesh 1.x form.");
            return;
        }

        var containers = names ?? (single is null ? null : [new ManifestObject.ListItem(single, spec.PathOf("containerName"))]);
        if (action == "container-kill")
        {
            if (!given)
            {
                context.Error(spec.PathOf("containerNames"), "is required for action 'container-kill': name the containers to kill.");
            }
            else if (containers is { Count: 0 })
            {
                context.Error(spec.PathOf("containerNames"), "must name at least one container for action 'container-kill'.");
            }
            else if (containers is not null)
            {
                parameters.SetList("containers", containers);
            }
        }
        else if (action is not null && given)
        {
            context.Warn(
                spec.PathOf(single is null ? "containerNames" : "containerName"),
                $"ignored: action '{action}' acts on whole pods, as in Chaos Mesh.");
        }
    }
}
