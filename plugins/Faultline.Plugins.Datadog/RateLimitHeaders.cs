using System.Globalization;
using System.Net.Http.Headers;

namespace Faultline.Plugins.Datadog;

/// <summary>
/// Datadog's rate-limit headers on one response. Reference: https://docs.datadoghq.com/api/latest/rate-limits/
/// (X-RateLimit-Limit: requests allowed per period; -Period: the period in seconds, calendar aligned;
/// -Remaining: requests left in this period; -Reset: seconds until the next reset; -Name: the limit's name).
/// Any header may be missing or garbled; each is then null and the provider falls back to back-off.
/// </summary>
internal sealed record RateLimitHeaders(long? Limit, long? Period, long? Remaining, long? Reset, string? Name)
{
    public static RateLimitHeaders Read(HttpResponseHeaders headers)
    {
        ArgumentNullException.ThrowIfNull(headers);
        return new RateLimitHeaders(
            Number(headers, "X-RateLimit-Limit"),
            Number(headers, "X-RateLimit-Period"),
            Number(headers, "X-RateLimit-Remaining"),
            Number(headers, "X-RateLimit-Reset"),
            headers.TryGetValues("X-RateLimit-Name", out var names) ? names.FirstOrDefault() : null);
    }

    /// <summary>The limit is used up: the next request in this period would be refused.</summary>
    public bool IsExhausted => Remaining == 0;

    public TimeSpan? ResetAfter => Reset is { } seconds ? TimeSpan.FromSeconds(seconds) : null;

    /// <summary>For messages: <c>limit 'metrics_query' (100 per 3600 s)</c>, with whatever the headers told.</summary>
    public string Describe()
    {
        var name = Name is null ? "limit" : $"limit '{Name}'";
        return Limit is { } limit && Period is { } period
            ? string.Create(CultureInfo.InvariantCulture, $"{name} ({limit} per {period} s)")
            : name;
    }

    private static long? Number(HttpResponseHeaders headers, string name) =>
        headers.TryGetValues(name, out var values) &&
        long.TryParse(values.FirstOrDefault(), NumberStyles.None, CultureInfo.InvariantCulture, out var number)
            ? number
            : null;
}
