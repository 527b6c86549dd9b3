namespace Faultline.Sdk.Injection;

/// <summary>
/// Whether a fault is really in effect, measured rather than assumed ("the qdisc is there and the RTT rose").
/// A verdict reports a fault that did not take effect as such, never as a passed hypothesis.
/// </summary>
public sealed record Verification(bool InEffect, string Evidence)
{
    public static Verification Active(string evidence) => new(true, evidence);

    public static Verification Absent(string evidence) => new(false, evidence);
}
