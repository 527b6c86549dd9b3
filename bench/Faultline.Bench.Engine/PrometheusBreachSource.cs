namespace Faultline.Bench.Engine;

/// <summary>
/// The Prometheus path: the breach is a gauge changing on the scrape target, which the guardrail only sees once
/// Prometheus has scraped it and the next guardrail sample queries Prometheus. The values stand for an error
/// ratio: 1 % is healthy, 20 % breaks the guardrail's <c>lessThan: 0.05</c>.
/// </summary>
internal sealed class PrometheusBreachSource(ScrapeTarget target, PrometheusProcess prometheus, TimeSpan scrapeInterval) : IBreachSource
{
    private const double Healthy = 0.01;
    private const double Breached = 0.2;

    public string Name => "prometheus";

    public string Guardrail(string slot, TimeSpan every) =>
        NoopExperiment.Guardrail("prometheus", ScrapeTarget.Selector(slot), $"{{ url: \"{prometheus.Address}\", timeout: 2s }}", "{ lessThan: 0.05 }", every);

    public async Task MakeHealthyAsync(string slot, CancellationToken cancellationToken)
    {
        target.Set(slot, Healthy);

        // Until Prometheus has scraped the healthy value it still answers the last breach, which would abort the
        // next run at its first sample; a few scrapes is plenty.
        await prometheus.WaitForValueAsync(ScrapeTarget.Selector(slot), Healthy, scrapeInterval * 5 + TimeSpan.FromSeconds(30), cancellationToken);

        // That wait ends just after a scrape, and the run started next would begin sampling a fixed delay later:
        // every run's guardrail would sample at the same point of the scrape cycle, and scraped -> sample would
        // be that constant (it was: ~60 ms at p50). A real guardrail's phase is unrelated to the scrape's, so
        // start the run at a random point of the scrape cycle.
        await Task.Delay(scrapeInterval * Random.Shared.NextDouble(), cancellationToken);
    }

    public void Breach(string slot) => target.Set(slot, Breached);

    public Task<DateTime?> RelayedAtAsync(string slot, DateTime breachAt, CancellationToken cancellationToken) =>
        prometheus.FirstSampleAtAsync(ScrapeTarget.Selector(slot), Breached, breachAt, cancellationToken);
}
