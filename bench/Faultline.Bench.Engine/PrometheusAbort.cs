namespace Faultline.Bench.Engine;

/// <summary>
/// Whether figure 1b can run here. It needs the real Prometheus and the staged prometheus plugin; without them
/// the report says the figure was skipped and why, rather than leaving it out silently or failing the others.
/// </summary>
internal static class PrometheusAbort
{
    /// <summary>The reason the figure is skipped, or null and the binary to start.</summary>
    public static string? WhySkipped(EngineBenchOptions options, string pluginPath, out string? binary)
    {
        binary = null;
        if (options.AbortPrometheusRuns == 0)
        {
            return "--abort-prometheus-runs 0";
        }

        if (!Directory.Exists(Path.Combine(pluginPath, "faultline.prometheus")))
        {
            return $"the prometheus plugin is not staged in {pluginPath} (dotnet build plugins/Faultline.Plugins.Prometheus -c Release; bench/engine.sh does)";
        }

        binary = PrometheusProcess.FindBinary();
        return binary is null
            ? "no prometheus binary (PROMETHEUS_BINARY, /usr/bin/prometheus or on the PATH): apt-get install prometheus"
            : null;
    }
}
