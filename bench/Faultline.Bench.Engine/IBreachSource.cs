namespace Faultline.Bench.Engine;

/// <summary>
/// What the abort-latency figure breaks, and the guardrail that watches it: the http probe on a health slot, or
/// Prometheus scraping a gauge. Each slot is one concurrent run's own signal, so one breach aborts one run.
/// </summary>
internal interface IBreachSource
{
    /// <summary>The path the figure measures, for the report: "http probe", "prometheus".</summary>
    string Name { get; }

    /// <summary>The experiment's <c>guardrails:</c> block watching <paramref name="slot"/>.</summary>
    string Guardrail(string slot, TimeSpan every);

    /// <summary>
    /// Sets the slot healthy at the source and returns once everything between the source and the guardrail
    /// has seen it, so the next run does not start on a stale breach.
    /// </summary>
    Task MakeHealthyAsync(string slot, CancellationToken cancellationToken);

    /// <summary>Breaks the slot at the source; the instant this is called is the start of the figure.</summary>
    void Breach(string slot);

    /// <summary>
    /// When what sits between the source and the guardrail first held the breach set at <paramref name="breachAt"/>
    /// (Prometheus' scrape), or null when the guardrail reads the source itself. Asked after the run, before the
    /// slot is made healthy again.
    /// </summary>
    Task<DateTime?> RelayedAtAsync(string slot, DateTime breachAt, CancellationToken cancellationToken);
}
