namespace Faultline.Sdk.Injection;

/// <summary>
/// How a fault lives with other faults on the same target. Each fault claims named resources
/// (<see cref="IFaultInjector.Claims"/>, e.g. <c>netdev:eth0:egress-qdisc</c>); two faults that claim the same
/// resource never run on one target at once. <see cref="ConflictsWith"/> names injectors that must not run on
/// the same target at all, whatever they claim.
/// </summary>
public sealed record FaultComposition(IReadOnlyList<string> ConflictsWith)
{
    /// <summary>Composes with anything that claims other resources.</summary>
    public static FaultComposition ByClaims { get; } = new([]);
}
