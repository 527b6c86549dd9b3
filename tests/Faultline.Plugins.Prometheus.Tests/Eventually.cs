using System.Diagnostics;
using System.Globalization;
using Faultline.Sdk.Metrics;
using Faultline.Testing;

namespace Faultline.Plugins.Prometheus.Tests;

/// <summary>
/// Asks the provider again and again until its answer is the awaited one, or fails at a deadline with the last
/// answer and Prometheus' log. Prometheus answers only after it started and scraped, so this is how a test waits
/// for it: never a sleep standing in for synchronisation.
/// </summary>
internal static class Eventually
{
    /// <summary>Start-up, the first scrapes (every 1 s) and a loaded machine, with room to spare.</summary>
    public static readonly TimeSpan Deadline = TimeSpan.FromSeconds(45);

    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(200);

    public static Task<InstantResult> InstantAsync(
        this PrometheusProvider provider, MetricQuery query, Func<InstantResult, bool> accept, string what, PrometheusServer? server) =>
        InstantAsync(() => provider.QueryInstantAsync(query, DateTimeOffset.UtcNow, TestContext.Current.CancellationToken).AsTask(), accept, what, server);

    /// <summary>Any instant query now, e.g. through the plugin host's guarded provider.</summary>
    public static Task<InstantResult> InstantAsync(Func<Task<InstantResult>> ask, Func<InstantResult, bool> accept, string what, PrometheusServer? server) =>
        UntilAsync(
            ask,
            accept,
            result => $"[{string.Join(", ", result.Samples.Select(sample => sample.Value.ToString(CultureInfo.InvariantCulture)))}]",
            what,
            server);

    public static Task<RangeResult> RangeAsync(
        this PrometheusProvider provider, MetricQuery query, Func<TimeWindow> window, Func<RangeResult, bool> accept, string what, PrometheusServer? server) =>
        UntilAsync(
            () => provider.QueryRangeAsync(query, window(), TestContext.Current.CancellationToken).AsTask(),
            accept,
            result => $"{result.Series.Count} series with {string.Join(", ", result.Series.Select(series => series.Points.Count))} points",
            what,
            server);

    private static async Task<T> UntilAsync<T>(Func<Task<T>> ask, Func<T, bool> accept, Func<T, string> describe, string what, PrometheusServer? server)
    {
        var clock = Stopwatch.StartNew();
        var last = "(no answer yet)";
        while (true)
        {
            if (server?.HasExited == true)
            {
                Assert.Fail($"prometheus exited while waiting until {what}.\nOutput:\n{server.Output}");
            }

            try
            {
                var answer = await ask();
                if (accept(answer))
                {
                    return answer;
                }

                last = describe(answer);
            }
            catch (Exception exception) when (exception is MetricProviderException || exception.InnerException is MetricProviderException)
            {
                // (Through the plugin host, the provider's exception arrives wrapped.)
                // Not listening yet: Prometheus opens its port only after loading its configuration and its TSDB.
                last = exception.Message;
            }

            if (clock.Elapsed > Deadline)
            {
                Assert.Fail($"Gave up after {Deadline.TotalSeconds} s waiting until {what}.\nLast answer: {last}\nPrometheus output:\n{server?.Output}");
            }

            await Task.Delay(Interval, TestContext.Current.CancellationToken);
        }
    }
}
