namespace Faultline.Domain.Experiments.ChaosMesh;

/// <summary>
/// One Chaos Mesh chaos spec (of a NetworkChaos, PodChaos or IOChaos object, or embedded in a Schedule) as a
/// Faultline fault: the kind's action and fields become the injector and its parameters, the pod selection
/// becomes the target selector and mode, and <c>duration</c> becomes the fault's TTL.
/// </summary>
internal static class ChaosSpecTranslator
{
    public const string NetworkChaos = "NetworkChaos";
    public const string PodChaos = "PodChaos";
    public const string IOChaos = "IOChaos";

    /// <summary>The shortest fault a Faultline document accepts; the longest is <see cref="ExperimentSpecReader.MaxFaultDuration"/>.</summary>
    private static readonly TimeSpan MinFaultDuration = TimeSpan.FromMilliseconds(100);

    public static IReadOnlyList<string> Kinds { get; } = [NetworkChaos, PodChaos, IOChaos];

    /// <summary>
    /// Reads the fields of <paramref name="spec"/> that a fault is made of; the caller reads the others
    /// (<c>scheduler</c>) and then rejects unknown ones. Null when anything was wrong (already reported).
    /// </summary>
    public static FaultAction? Translate(string kind, ManifestObject spec, string? manifestNamespace, bool scheduled)
    {
        var context = spec.Context;
        var before = context.ErrorCount;
        var parameters = new ParameterWriter(FaultlinePaths.Parameters, context);
        var injector = kind switch
        {
            NetworkChaos => NetworkChaosParameters.Translate(spec, parameters, manifestNamespace),
            PodChaos => PodChaosParameters.Translate(spec, parameters),
            IOChaos => IOChaosParameters.Translate(spec, parameters),
            _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "Not a chaos kind this translator knows."),
        };
        var selection = PodSelection.Translate(spec, FaultlinePaths.Step, manifestNamespace);

        // Chaos Mesh lets a fault run until the object is deleted; Faultline ends every fault itself, so a
        // fault with no end is refused rather than given an invented one.
        var duration = spec.Duration(
            "duration",
            required: true,
            requiredMessage: scheduled
                ? "every fault needs a duration (TTL), scheduled ones too: the schedule says when a run starts, not when its fault ends."
                : "every fault needs a duration (TTL): Faultline never leaves a fault running without an end.");
        if (duration is not null && (duration.Value < MinFaultDuration || duration.Value > ExperimentSpecReader.MaxFaultDuration))
        {
            context.Error(
                duration.Path,
                $"must be from {Durations.Format(MinFaultDuration)} to {Durations.Format(ExperimentSpecReader.MaxFaultDuration)}: the bounds of a Faultline fault.");
            duration = null;
        }
        else if (duration is not null)
        {
            context.Map(duration.Path, FaultlinePaths.Duration);
        }

        if (injector is null || selection is not { } chosen || duration is null || context.ErrorCount > before)
        {
            return null;
        }

        return new FaultAction(injector, parameters.ToElement(), chosen.Selector, chosen.Mode, duration.Value);
    }
}
