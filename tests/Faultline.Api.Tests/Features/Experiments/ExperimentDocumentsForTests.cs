namespace Faultline.Api.Tests.Features.Experiments;

/// <summary>Experiment documents the tests send, as users would write them.</summary>
internal static class ExperimentDocumentsForTests
{
    /// <summary>The design brief's experiment, as shipped in examples/.</summary>
    public static readonly string PaymentLatency = File.ReadAllText(Path.Combine(RepositoryRoot.Path, "examples", "payment-latency.yaml"));

    /// <summary>The seed's NetworkChaos, unchanged, as shipped in examples/.</summary>
    public static readonly string SeedNetworkChaos = File.ReadAllText(Path.Combine(RepositoryRoot.Path, "examples", "chaos-mesh", "payment-latency-networkchaos.yaml"));

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
