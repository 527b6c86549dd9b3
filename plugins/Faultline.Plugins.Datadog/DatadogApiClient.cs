using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Faultline.Sdk.Metrics;

namespace Faultline.Plugins.Datadog;

/// <summary>
/// A small client of Datadog's HTTP API over System.Net.Http (no Datadog package restores here). Every request
/// carries DD-API-KEY and DD-APPLICATION-KEY (https://docs.datadoghq.com/api/latest/authentication/) and has its
/// own deadline. What it does with answers:
/// <list type="bullet">
/// <item>2xx: the body as JSON; a body that is not JSON is an error, never an empty result;</item>
/// <item>429: waits until X-RateLimit-Reset (at most maxRateLimitWait, within the caller's cancellation) and
/// retries, at most maxRetries times; then fails saying it was rate-limited and when the limit resets
/// (https://docs.datadoghq.com/api/latest/rate-limits/). X-RateLimit-Remaining: 0 on any answer holds the next
/// request of that limit until the reset as well;</item>
/// <item>5xx or a failed connection: retries with jittered exponential back-off, then fails with the status and
/// Datadog's errors[];</item>
/// <item>401, 403: the keys were rejected, a configuration error: never retried;</item>
/// <item>400, 404 and anything else: fails at once with Datadog's errors[] text;</item>
/// <item>no complete answer within the timeout: fails saying it timed out (not retried: the host's deadline for the
/// whole query is short, and a slow Datadog is better reported than hidden).</item>
/// </list>
/// Redirects are not followed: they would carry the keys to wherever they point.
/// </summary>
internal sealed class DatadogApiClient : IDisposable
{
    private readonly HttpClient _client;
    private readonly TimeProvider _time;
    private readonly RateLimitGate _gate;

    public DatadogApiClient(TimeProvider time)
    {
        _time = time;
        _gate = new RateLimitGate(time);

        // Pooled connections are recycled so a DNS change of the site is picked up during a long experiment. No
        // proxy from the environment: a proxy is named explicitly with url, so where the keys go is in the probe.
        _client = new HttpClient(new SocketsHttpHandler
        {
            UseProxy = false,
            AllowAutoRedirect = false,
            UseCookies = false,
            AutomaticDecompression = DecompressionMethods.GZip | DecompressionMethods.Deflate,
            PooledConnectionLifetime = TimeSpan.FromMinutes(2),
        })
        {
            // Each request has its own deadline (the configured timeout); the client's would only get in the way.
            Timeout = System.Threading.Timeout.InfiniteTimeSpan,
        };
    }

    /// <summary>
    /// GETs <paramref name="relativeUri"/> below the API base and returns the JSON body. <paramref name="endpoint"/>
    /// names the rate-limit bucket (Datadog limits per endpoint); <paramref name="subject"/> what was asked, for messages.
    /// </summary>
    public async Task<JsonDocument> GetJsonAsync(DatadogSettings settings, string endpoint, string relativeUri, string subject, CancellationToken cancellationToken)
    {
        var attempts = settings.MaxRetries + 1;
        var bucket = Bucket(settings, endpoint);
        for (var attempt = 1; ; attempt++)
        {
            await _gate.WaitAsync(bucket, settings.MaxRateLimitWait, settings.Redact, cancellationToken);
            DatadogAnswer answer;
            try
            {
                answer = await SendAsync(settings, relativeUri, subject, cancellationToken);
            }
            catch (Exception exception) when (exception is HttpRequestException or IOException)
            {
                if (attempt < attempts)
                {
                    await Task.Delay(Backoff.After(attempt), _time, cancellationToken);
                    continue;
                }

                throw Failure(settings, $"Datadog at {settings.ApiBase} is unreachable for {subject} ({Attempts(attempts)}): {exception.Message}", exception);
            }

            if (answer.Status == HttpStatusCode.TooManyRequests)
            {
                // Held in the gate, so the next attempt (or the next probe) waits for the reset before sending.
                var reset = answer.Limits.ResetAfter ?? Backoff.After(attempt);
                _gate.Hold(bucket, reset, answer.Limits);
                if (attempt < attempts)
                {
                    continue;
                }

                throw Failure(settings, string.Create(
                    CultureInfo.InvariantCulture,
                    $"Datadog rate-limited {subject} ({answer.Limits.Describe()}) on all {Attempts(attempts)}; it resets in {reset.TotalSeconds:0.###} s, at {_time.GetUtcNow() + reset:O}. {DatadogErrorText.From(answer.Body)}"));
            }

            if (answer.Limits.IsExhausted && answer.Limits.ResetAfter is { } exhaustedFor)
            {
                _gate.Hold(bucket, exhaustedFor, answer.Limits);
            }

            if (answer.Code is >= 200 and <= 299)
            {
                return ParseJson(settings, answer, subject);
            }

            if (answer.Code >= 500 && attempt < attempts)
            {
                await Task.Delay(Backoff.After(attempt), _time, cancellationToken);
                continue;
            }

            throw Failure(settings, Refusal(answer, subject, attempt));
        }
    }

    public void Dispose() => _client.Dispose();

    private async Task<DatadogAnswer> SendAsync(DatadogSettings settings, string relativeUri, string subject, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(settings.ApiBase, relativeUri));
        request.Headers.TryAddWithoutValidation("DD-API-KEY", settings.ApiKey);
        request.Headers.TryAddWithoutValidation("DD-APPLICATION-KEY", settings.ApplicationKey);
        request.Headers.Accept.ParseAdd("application/json");
        request.Headers.UserAgent.ParseAdd("Faultline-Datadog/1.0");

        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(settings.Timeout);
        try
        {
            // Headers and body within the one deadline.
            using var response = await _client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, deadline.Token);
            var body = await response.Content.ReadAsStringAsync(deadline.Token);
            return new DatadogAnswer(response.StatusCode, RateLimitHeaders.Read(response.Headers), body);
        }
        catch (OperationCanceledException exception) when (!cancellationToken.IsCancellationRequested)
        {
            // Our own deadline, not the caller's cancellation (which propagates as it is).
            throw Failure(settings, string.Create(
                CultureInfo.InvariantCulture,
                $"Datadog at {settings.ApiBase} timed out: no complete answer for {subject} within {settings.Timeout.TotalSeconds:0.###} s (timeout)."), exception);
        }
    }

    private static JsonDocument ParseJson(DatadogSettings settings, DatadogAnswer answer, string subject)
    {
        try
        {
            return JsonDocument.Parse(answer.Body);
        }
        catch (JsonException exception)
        {
            throw Failure(settings, $"Datadog answered HTTP {answer.Code} for {subject} with a body that is not JSON ({exception.Message}): {DatadogErrorText.From(answer.Body)}", exception);
        }
    }

    private static string Refusal(DatadogAnswer answer, string subject, int attempts)
    {
        var errors = DatadogErrorText.From(answer.Body);
        return answer.Code switch
        {
            401 or 403 =>
                $"Datadog rejected the API key or application key (HTTP {answer.Code}: {errors}) for {subject}; check apiKey, applicationKey and that they belong to this site (not retried).",
            400 => $"Datadog refused {subject} (HTTP 400): {errors}",
            404 => $"Datadog found nothing for {subject} (HTTP 404): {errors}",
            >= 500 => $"Datadog failed {subject} with HTTP {answer.Code} on all {Attempts(attempts)}: {errors}",
            >= 300 and <= 399 => $"Datadog answered {subject} with a redirect (HTTP {answer.Code}), which is not followed (it would carry the keys): {errors}",
            _ => $"Datadog answered {subject} with HTTP {answer.Code}: {errors}",
        };
    }

    /// <summary>Every message the client throws is built here, so every one is scrubbed of the keys.</summary>
    private static MetricProviderException Failure(DatadogSettings settings, string message, Exception? inner = null) =>
        inner is null ? new MetricProviderException(settings.Redact(message)) : new MetricProviderException(settings.Redact(message), inner);

    private static string Attempts(int count) => count == 1 ? "1 attempt" : string.Create(CultureInfo.InvariantCulture, $"{count} attempts");

    /// <summary>Datadog counts per organization and endpoint: the key's fingerprint stands for the organization (never the key).</summary>
    private static string Bucket(DatadogSettings settings, string endpoint)
    {
        var fingerprint = Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(settings.ApiKey)), 0, 8);
        return $"{settings.ApiBase}|{fingerprint}|{endpoint}";
    }
}
