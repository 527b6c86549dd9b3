namespace Faultline.Domain.Experiments;

/// <summary>
/// "Recovers within T after rollback": after every fault is removed, the steady state must hold again within
/// <see cref="Within"/>, or the hypothesis is refuted. Without it the engine's recovery window applies.
/// </summary>
public sealed record Recovery(TimeSpan Within)
{
    public static readonly TimeSpan MaxWithin = TimeSpan.FromHours(1);
}
