namespace Faultline.Bench.Engine;

/// <summary>The http probe path: the guardrail asks the health slot itself, so a flip is visible to the very next sample.</summary>
internal sealed class HttpBreachSource(HealthSwitch health) : IBreachSource
{
    public string Name => "http probe";

    public string Guardrail(string slot, TimeSpan every) =>
        NoopExperiment.Guardrail("http", "success_ratio", $"{{ url: \"{health.UrlOf(slot)}\", timeout: 2s }}", "{ greaterThanOrEqual: 1 }", every);

    public Task MakeHealthyAsync(string slot, CancellationToken cancellationToken)
    {
        health.Set(slot, healthy: true);
        return Task.CompletedTask;
    }

    public void Breach(string slot) => health.Set(slot, healthy: false);

    public Task<DateTime?> RelayedAtAsync(string slot, DateTime breachAt, CancellationToken cancellationToken) => Task.FromResult<DateTime?>(null);
}
