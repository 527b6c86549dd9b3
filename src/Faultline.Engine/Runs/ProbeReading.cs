namespace Faultline.Engine.Runs;

/// <summary>
/// One sample of a probe or guardrail: the value measured (null when the provider could not answer or returned
/// nothing), whether the tolerance held, the threshold it was held to (relative bounds resolved against the
/// baseline) and what was compared, in words for the timeline.
/// </summary>
public sealed record ProbeReading(string Name, string Phase, double? Value, bool Held, bool ProviderFailed, string Detail, double? Baseline, string Threshold = "")
{
    /// <summary>The sample's verdict in one word for the timeline: held, breached, or unreachable.</summary>
    public string Verdict => ProviderFailed ? (Held ? "unreachable-ignored" : "unreachable") : Held ? "held" : "breached";
}
