namespace Faultline.Engine.Runs;

/// <summary>
/// One sample of a probe or guardrail: the value measured (null when the provider could not answer or returned
/// nothing), whether the tolerance held, and what was compared, in words for the timeline.
/// </summary>
public sealed record ProbeReading(string Name, string Phase, double? Value, bool Held, bool ProviderFailed, string Detail, double? Baseline);
