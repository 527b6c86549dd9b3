namespace Faultline.Engine.Runs;

/// <summary>When a probe was sampled, as the timeline names it.</summary>
public static class ProbePhases
{
    /// <summary>Just before injection: the steady state must hold, and relative tolerances take their baseline here.</summary>
    public const string Baseline = "baseline";

    /// <summary>While the faults are in effect: the hypothesis is tested here, and guardrails watch.</summary>
    public const string During = "during";

    /// <summary>After rollback: the system must come back.</summary>
    public const string Recovery = "recovery";
}
