namespace Faultline.Domain.Experiments;

/// <summary>One step of the method: a fault, parallel branches of steps, or a pause.</summary>
public abstract record MethodStep
{
    public abstract IEnumerable<FaultAction> Faults { get; }
}

/// <summary>Injects <see cref="Fault"/> into the selected targets for its duration.</summary>
public sealed record FaultStep(FaultAction Fault) : MethodStep
{
    public override IEnumerable<FaultAction> Faults => [Fault];
}

/// <summary>Branches run side by side; each branch is a sequence of steps.</summary>
public sealed record ParallelStep(IReadOnlyList<IReadOnlyList<MethodStep>> Branches) : MethodStep
{
    public override IEnumerable<FaultAction> Faults => Branches.SelectMany(branch => branch.SelectMany(step => step.Faults));
}

/// <summary>Waits, e.g. to let the system settle between two faults.</summary>
public sealed record PauseStep(TimeSpan Duration) : MethodStep
{
    public override IEnumerable<FaultAction> Faults => [];
}
