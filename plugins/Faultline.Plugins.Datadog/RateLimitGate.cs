using System.Collections.Concurrent;
using System.Globalization;
using Faultline.Sdk.Metrics;

namespace Faultline.Plugins.Datadog;

/// <summary>
/// What the provider remembers of exhausted Datadog rate limits, per bucket (API base, organization by key
/// fingerprint, endpoint): a limit seen used up, by a 429 or by <c>X-RateLimit-Remaining: 0</c>, holds every later
/// request of that bucket until its reset, so the provider does not spend requests it knows will be refused. Shared
/// by all probes, since Datadog counts per organization, not per probe.
/// </summary>
internal sealed class RateLimitGate(TimeProvider time)
{
    private readonly ConcurrentDictionary<string, Block> _blocks = new(StringComparer.Ordinal);

    public void Hold(string bucket, TimeSpan resetAfter, RateLimitHeaders headers)
    {
        var until = time.GetUtcNow() + resetAfter;
        _blocks.AddOrUpdate(bucket, new Block(until, headers), (_, old) => old.Until >= until ? old : new Block(until, headers));
    }

    /// <summary>
    /// Waits out a known reset when it comes within <paramref name="maxWait"/>; a later one fails at once (waiting would
    /// only outlast the caller's deadline) with the time it resets. The caller's cancellation ends the wait.
    /// </summary>
    public async Task WaitAsync(string bucket, TimeSpan maxWait, Func<string, string> redact, CancellationToken cancellationToken)
    {
        if (!_blocks.TryGetValue(bucket, out var block))
        {
            return;
        }

        var wait = block.Until - time.GetUtcNow();
        if (wait > maxWait)
        {
            throw new MetricProviderException(redact(string.Create(
                CultureInfo.InvariantCulture,
                $"Datadog rate-limited this organization ({block.Headers.Describe()}); it resets in {Math.Ceiling(wait.TotalSeconds)} s, at {block.Until:O}, later than maxRateLimitWait ({maxWait.TotalSeconds:0.###} s), so no request was sent.")));
        }

        if (wait > TimeSpan.Zero)
        {
            await Task.Delay(wait, time, cancellationToken);
        }

        // Only the block this wait honoured: a newer one, set meanwhile by another probe, stays.
        _blocks.TryRemove(new KeyValuePair<string, Block>(bucket, block));
    }

    private sealed record Block(DateTimeOffset Until, RateLimitHeaders Headers);
}
