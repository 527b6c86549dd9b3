using System.Globalization;

namespace Faultline.Bench.Engine;

/// <summary>
/// Command-line settings, parsed by hand like the load benchmark's. <c>--quick</c> only changes the defaults of
/// the counts, so <c>--quick --runs 20</c> still means 20 abort runs, whatever the order of the flags.
/// </summary>
internal sealed record EngineBenchOptions(
    int AbortRuns,
    int AbortPrometheusRuns,
    int AbortParallel,
    TimeSpan GuardrailInterval,
    TimeSpan ScrapeInterval,
    int Takeovers,
    TimeSpan LeaseTtl,
    TimeSpan TakeoverPoll,
    int ThroughputRuns,
    TimeSpan ThroughputFaultDuration,
    int BaselineRuns,
    bool Quick,
    string? FaultlinePath,
    string? PluginPath)
{
    public const string Usage =
        """
        Usage: engine.sh [--quick] [--runs N] [--abort-prometheus-runs N] [--abort-parallel N]
                         [--guardrail-interval SECONDS] [--scrape-interval SECONDS]
                         [--takeovers N] [--lease-ttl MS] [--takeover-poll MS]
                         [--throughput-runs N] [--throughput-duration SECONDS] [--baseline-runs N]
                         [--faultline PATH] [--plugins DIR]
          --quick                tiny counts for a smoke test (5 + 5 abort runs, 1 takeover, 20 throughput runs)
          --runs                 abort-latency runs through the http probe (default 50, quick 5)
          --abort-prometheus-runs  abort-latency runs through real Prometheus (default 50, quick 5; 0 skips them)
          --abort-parallel       abort runs in flight at once, each on its own target and health switch or gauge (default 4)
          --guardrail-interval   the guardrail's `every` in the abort runs (default 1, the engine's default)
          --scrape-interval      Prometheus' scrape interval in the prometheus abort runs (default 1)
          --takeovers            kill -9 / takeover rounds (default 5, quick 1)
          --lease-ttl            lease TTL of the two server processes, ms (default 3000)
          --takeover-poll        poll interval of the two server processes, ms (default 100)
          --throughput-runs      runs started at once on one node (default 200, quick 20)
          --throughput-duration  the noop fault's duration in the throughput runs (default 2)
          --baseline-runs        single runs timed alone before the batch; the median is the baseline (default 3)
          --faultline            faultline.dll to start as `faultline server` (default src/Faultline/bin/Release/net10.0/faultline.dll)
          --plugins              folder holding the staged plugins (default artifacts/plugins)
        """;

    private const int DefaultAbortRuns = 50;
    private const int QuickAbortRuns = 5;
    private const int DefaultTakeovers = 5;
    private const int QuickTakeovers = 1;
    private const int DefaultThroughputRuns = 200;
    private const int QuickThroughputRuns = 20;

    /// <summary>Returns null and an error message when the arguments are not understood (an empty message for --help).</summary>
    public static EngineBenchOptions? Parse(IReadOnlyList<string> args, out string? error)
    {
        error = null;
        var quick = false;
        int? abortRuns = null, prometheusRuns = null, takeovers = null, throughputRuns = null;
        var options = new EngineBenchOptions(
            0, 0, 4, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1), 0, TimeSpan.FromMilliseconds(3000), TimeSpan.FromMilliseconds(100), 0, TimeSpan.FromSeconds(2), 3, false, null, null);
        for (var i = 0; i < args.Count; i++)
        {
            var flag = args[i];
            if (flag is "-h" or "--help")
            {
                error = "";
                return null;
            }

            if (flag == "--quick")
            {
                quick = true;
                continue;
            }

            if (i + 1 >= args.Count)
            {
                error = $"{flag} needs a value.";
                return null;
            }

            var value = args[++i];
            switch (flag)
            {
                case "--runs" when TryCount(value, 1, 100_000, out var n):
                    abortRuns = n;
                    break;
                case "--abort-prometheus-runs" when TryCount(value, 0, 100_000, out var n):
                    prometheusRuns = n;
                    break;
                case "--abort-parallel" when TryCount(value, 1, 64, out var n):
                    options = options with { AbortParallel = n };
                    break;
                case "--guardrail-interval" when TrySeconds(value, 0.1, 3600, out var interval):
                    options = options with { GuardrailInterval = interval };
                    break;
                case "--scrape-interval" when TrySeconds(value, 0.1, 3600, out var interval):
                    // Prometheus takes whole milliseconds.
                    options = options with { ScrapeInterval = TimeSpan.FromMilliseconds(Math.Round(interval.TotalMilliseconds)) };
                    break;
                case "--takeovers" when TryCount(value, 1, 1000, out var n):
                    takeovers = n;
                    break;
                case "--lease-ttl" when TryCount(value, 500, 600_000, out var ms):
                    options = options with { LeaseTtl = TimeSpan.FromMilliseconds(ms) };
                    break;
                case "--takeover-poll" when TryCount(value, 50, 60_000, out var ms):
                    options = options with { TakeoverPoll = TimeSpan.FromMilliseconds(ms) };
                    break;
                case "--throughput-runs" when TryCount(value, 1, 10_000, out var n):
                    throughputRuns = n;
                    break;
                case "--throughput-duration" when TrySeconds(value, 0.1, 3600, out var duration):
                    options = options with { ThroughputFaultDuration = duration };
                    break;
                case "--baseline-runs" when TryCount(value, 1, 100, out var n):
                    options = options with { BaselineRuns = n };
                    break;
                case "--faultline" when value.Length > 0:
                    options = options with { FaultlinePath = value };
                    break;
                case "--plugins" when value.Length > 0:
                    options = options with { PluginPath = value };
                    break;
                default:
                    error = $"Invalid option or value: {flag} {value}";
                    return null;
            }
        }

        return options with
        {
            Quick = quick,
            AbortRuns = abortRuns ?? (quick ? QuickAbortRuns : DefaultAbortRuns),
            AbortPrometheusRuns = prometheusRuns ?? (quick ? QuickAbortRuns : DefaultAbortRuns),
            Takeovers = takeovers ?? (quick ? QuickTakeovers : DefaultTakeovers),
            ThroughputRuns = throughputRuns ?? (quick ? QuickThroughputRuns : DefaultThroughputRuns),
        };
    }

    private static bool TryCount(string value, int min, int max, out int count) =>
        int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out count) && count >= min && count <= max;

    private static bool TrySeconds(string value, double min, double max, out TimeSpan seconds)
    {
        var ok = double.TryParse(value, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var number) && number >= min && number <= max;
        seconds = ok ? TimeSpan.FromSeconds(number) : TimeSpan.Zero;
        return ok;
    }
}
