using Faultline.Domain.Experiments;

namespace Faultline.Bench.Engine;

/// <summary>
/// The experiment every figure runs, as in the tests (<c>RunApi.NoopExperiment</c>): a noop fault on one explicit
/// target, an http steady-state probe, and optionally one guardrail (<see cref="Guardrail"/>). The noop injector only
/// writes and deletes a marker file, so what is measured is the engine, its database and its probes, not a fault.
/// </summary>
internal static class NoopExperiment
{
    /// <summary>
    /// <paramref name="targets"/> (noop target ids, one fault each) must differ between runs that overlap: the
    /// noop injector claims its target, and a second run on a claimed target is refused.
    /// </summary>
    public static string Yaml(string name, IReadOnlyList<string> targets, Uri health, TimeSpan duration, string? guardrail = null)
    {
        var selector = string.Join(", ", targets.Select(target => $"noop/{target}"));
        return $$"""
            apiVersion: faultline.dev/v1
            kind: Experiment
            metadata: { name: {{name}} }
            spec:
              hypothesis: The service stays healthy while a noop fault is in effect.
              steadyState:
                - name: health
                  provider: http
                  query: success_ratio
                  config: { url: "{{health}}", timeout: 2s }
                  tolerance: { greaterThanOrEqual: 1 }
            {{guardrail ?? ""}}  method:
                - fault: noop
                  selector: { targets: [{{selector}}] }
                  mode: all
                  params: {}
                  duration: {{Durations.Format(duration)}}
            """;
    }

    /// <summary>
    /// The <c>guardrails:</c> block for <see cref="Yaml"/>: one guardrail named <c>guard</c>, sampled every
    /// <paramref name="every"/>. <paramref name="config"/> and <paramref name="tolerance"/> are YAML flow maps.
    /// </summary>
    public static string Guardrail(string provider, string query, string config, string tolerance, TimeSpan every) => $$"""
          guardrails:
            - name: guard
              provider: {{provider}}
              query: '{{query}}'
              config: {{config}}
              tolerance: {{tolerance}}
              every: {{Durations.Format(every)}}

        """;
}
