namespace Faultline.Api.Tests.Features.Experiments;

/// <summary>Experiment documents the tests send, as users would write them.</summary>
internal static class ExperimentDocumentsForTests
{
    /// <summary>The design brief's experiment.</summary>
    public const string PaymentLatency = """
        apiVersion: faultline.dev/v1
        kind: Experiment
        metadata: { name: payment-latency }
        spec:
          hypothesis: Checkout keeps < 1% errors and p99 < 200 ms while payment-service is 200 ms slower.
          steadyState:
            - name: checkout-errors
              provider: prometheus
              query: sum(rate(http_requests_total{app="checkout",code=~"5.."}[1m])) / sum(rate(http_requests_total{app="checkout"}[1m]))
              tolerance: { lessThan: 0.01 }
          guardrails:
            - name: abort-on-errors
              provider: prometheus
              query: sum(rate(http_requests_total{app="checkout",code=~"5.."}[1m]))
              tolerance: { lessThan: 0.05 }
              every: 1s
              onProviderError: abort
          method:
            - fault: network.delay
              selector: { namespaces: [payment-prod], labels: { app: payment-service } }
              mode: all
              params: { latency: 200ms, jitter: 50ms, correlation: 100 }
              duration: 300s
          schedule: { cron: "@every 10m", concurrency: forbid }
        """;

    /// <summary>The seed's NetworkChaos, unchanged.</summary>
    public const string SeedNetworkChaos = """
        apiVersion: chaos-mesh.org/v1alpha1
        kind: NetworkChaos
        metadata:
          name: payment-latency-injection
          namespace: chaos-testing
        spec:
          action: delay
          mode: all
          selector:
            namespaces:
              - payment-prod
            labelSelectors:
              "app": "payment-service"
          delay:
            latency: "200ms"
            correlation: "100"
            jitter: "50ms"
          duration: "300s"
          scheduler:
            cron: "@every 10m"
        """;

    /// <summary>An experiment with an installed injector (process.pause), so its parameters are checked for real.</summary>
    public static string PauseProcess(string name, string parameters = "{ watchdog: true }", string? team = null) => $$"""
        apiVersion: faultline.dev/v1
        kind: Experiment
        metadata: { name: {{name}}{{(team is null ? "" : $", team: {team}")}} }
        spec:
          hypothesis: The worker recovers when a dependency freezes for 5 s.
          method:
            - fault: process.pause
              selector: { kinds: [process], targets: ["4242"] }
              params: {{parameters}}
              duration: 5s
        """;
}
