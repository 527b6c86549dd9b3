using System.Globalization;
using System.Text.Json;
using Faultline.Sdk.Validation;

namespace Faultline.Plugins.Datadog;

/// <summary>
/// The configuration of one datadog probe, read from the query's configuration object. Every problem is reported
/// at its JSON path, all at once; a configuration with any problem yields no settings. The keys arrive as plain
/// strings: team secrets are substituted into the configuration before the provider sees it. They are never
/// printed (<see cref="ToString"/>), and <see cref="Redact"/> scrubs them from every message the provider writes.
/// </summary>
internal sealed record DatadogSettings(
    Uri ApiBase,
    string ApiKey,
    string ApplicationKey,
    long? MonitorId,
    TimeSpan InstantLookback,
    TimeSpan Timeout,
    int MaxRetries,
    TimeSpan MaxRateLimitWait)
{
    public static readonly TimeSpan DefaultInstantLookback = TimeSpan.FromMinutes(5);
    public static readonly TimeSpan MaxInstantLookback = TimeSpan.FromHours(24);

    /// <summary>The host gives a whole query 10 s; one request should leave room for a retry within that.</summary>
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(5);
    public static readonly TimeSpan MaxTimeout = TimeSpan.FromSeconds(60);

    public const int DefaultMaxRetries = 3;
    public const int MaxMaxRetries = 10;

    /// <summary>
    /// The longest the provider waits for a rate limit to reset. Datadog's periods are often 10 s to 60 s; waiting
    /// longer than the host's 10 s query deadline would only be abandoned, so by default a longer reset fails at once.
    /// </summary>
    public static readonly TimeSpan DefaultMaxRateLimitWait = TimeSpan.FromSeconds(10);
    public static readonly TimeSpan MaxMaxRateLimitWait = TimeSpan.FromMinutes(5);

    public const string Schema = $$"""
        {
          "$schema": "https://json-schema.org/draft/2020-12/schema",
          "type": "object",
          "additionalProperties": false,
          "required": ["apiKey", "applicationKey"],
          "description": "Query: a Datadog metric query (avg:trace.http.request.errors{service:checkout}.as_rate()) or monitor:<id>. Monitor overall_state maps OK to 0, Warn to 0.5, Alert to 1; No Data, Unknown, Skipped and Ignored are no data (an empty result, judged by onProviderError), never a number.",
          "properties": {
            "site": { "enum": ["datadoghq.com", "datadoghq.eu", "us3.datadoghq.com", "us5.datadoghq.com", "ap1.datadoghq.com", "ap2.datadoghq.com", "ddog-gov.com"], "default": "datadoghq.com", "description": "The Datadog site of the organization; the API is https://api.<site>. Not together with url." },
            "url": { "type": "string", "pattern": "^[hH][tT][tT][pP][sS]?://", "description": "The API base address instead of a site (a proxy, a test server): https, or http to a loopback address only; no credentials, query or fragment. Not together with site." },
            "apiKey": { "type": "string", "minLength": 1, "description": "Sent as DD-API-KEY. Use a team secret; it never appears in messages or labels." },
            "applicationKey": { "type": "string", "minLength": 1, "description": "Sent as DD-APPLICATION-KEY (needs timeseries_query and monitors_read). Use a team secret." },
            "monitorId": { "type": "integer", "minimum": 1, "description": "The monitor whose overall_state the query 'monitor' reads (same as the query monitor:<id>): OK 0, Warn 0.5, Alert 1; No Data, Unknown, Skipped, Ignored give no data." },
            "instantLookback": { "type": "string", "pattern": "{{DurationText.Pattern}}", "default": "5m", "description": "Datadog has no instant query: an instant is the latest non-null point of each series within this much before it (at most 24h)." },
            "timeout": { "type": "string", "pattern": "{{DurationText.Pattern}}", "default": "5s", "description": "Deadline of each request to Datadog (at most 60s)." },
            "maxRetries": { "type": "integer", "minimum": 0, "maximum": 10, "default": 3, "description": "Retries after a 429, a 5xx or a failed connection; 401, 403 and 400 are never retried." },
            "maxRateLimitWait": { "type": "string", "pattern": "{{DurationText.Pattern}}", "default": "10s", "description": "The longest wait for X-RateLimit-Reset (at most 5m); a later reset fails at once, saying when it resets." }
          },
          "not": { "required": ["site", "url"] }
        }
        """;

    /// <summary>Replaces the keys wherever they occur, so no message, however built, carries them.</summary>
    public string Redact(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        foreach (var secret in new[] { ApiKey, ApplicationKey })
        {
            if (secret.Length > 0)
            {
                text = text.Replace(secret, "***", StringComparison.Ordinal);
            }
        }

        return text;
    }

    /// <summary>Without the keys: a record would otherwise print every property.</summary>
    public override string ToString() => $"datadog at {ApiBase}";

    public static DatadogSettings? Parse(JsonElement configuration, List<ParameterError> errors)
    {
        if (configuration.ValueKind != JsonValueKind.Object)
        {
            errors.Add(new ParameterError("$", "must be an object with at least apiKey and applicationKey."));
            return null;
        }

        var before = errors.Count;
        string? site = null;
        Uri? url = null;
        string? apiKey = null;
        string? applicationKey = null;
        long? monitorId = null;
        var lookback = DefaultInstantLookback;
        var timeout = DefaultTimeout;
        var maxRetries = DefaultMaxRetries;
        var maxWait = DefaultMaxRateLimitWait;

        foreach (var property in configuration.EnumerateObject())
        {
            var path = Path(property.Name);
            var value = property.Value;
            switch (property.Name)
            {
                case "site":
                    site = ReadSite(value, path, errors);
                    break;
                case "url":
                    url = ReadUrl(value, path, errors);
                    break;
                case "apiKey":
                    apiKey = ReadKey(value, path, errors);
                    break;
                case "applicationKey":
                    applicationKey = ReadKey(value, path, errors);
                    break;
                case "monitorId":
                    monitorId = ReadMonitorId(value, path, errors);
                    break;
                case "instantLookback":
                    lookback = ReadDuration(value, path, MaxInstantLookback, DefaultInstantLookback, errors);
                    break;
                case "timeout":
                    timeout = ReadDuration(value, path, MaxTimeout, DefaultTimeout, errors);
                    break;
                case "maxRetries":
                    maxRetries = ReadRetries(value, path, errors);
                    break;
                case "maxRateLimitWait":
                    maxWait = ReadDuration(value, path, MaxMaxRateLimitWait, DefaultMaxRateLimitWait, errors);
                    break;
                default:
                    errors.Add(new ParameterError(path, "is not a setting of the datadog provider."));
                    break;
            }
        }

        RequireKey(configuration, "apiKey", errors);
        RequireKey(configuration, "applicationKey", errors);
        if (configuration.TryGetProperty("site", out _) && configuration.TryGetProperty("url", out _))
        {
            errors.Add(new ParameterError("$.url", "cannot be set together with site: name the site, or the url of a proxy or test server, not both."));
        }

        return errors.Count > before || apiKey is null || applicationKey is null
            ? null
            : new DatadogSettings(url ?? DatadogSites.ApiBase(site ?? DatadogSites.Default), apiKey, applicationKey, monitorId, lookback, timeout, maxRetries, maxWait);
    }

    // Every name the provider knows is an identifier; an unknown one is quoted so the path stays readable.
    private static string Path(string name) =>
        name.Length > 0 && name.All(char.IsAsciiLetterOrDigit) ? $"$.{name}" : $"$['{name.Replace("'", "\\'", StringComparison.Ordinal)}']";

    private static void RequireKey(JsonElement configuration, string name, List<ParameterError> errors)
    {
        if (!configuration.TryGetProperty(name, out _))
        {
            errors.Add(new ParameterError($"$.{name}", "is required."));
        }
    }

    private static string? ReadSite(JsonElement value, string path, List<ParameterError> errors)
    {
        if (value.ValueKind == JsonValueKind.String && DatadogSites.IsKnown(value.GetString()!))
        {
            return value.GetString();
        }

        errors.Add(new ParameterError(path, $"must be one of {string.Join(", ", DatadogSites.All)}."));
        return null;
    }

    private static Uri? ReadUrl(JsonElement value, string path, List<ParameterError> errors)
    {
        if (value.ValueKind != JsonValueKind.String ||
            !Uri.TryCreate(value.GetString(), UriKind.Absolute, out var uri) ||
            (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps) ||
            string.IsNullOrEmpty(uri.Host))
        {
            errors.Add(new ParameterError(path, "must be an absolute https URL (http only to a loopback address)."));
            return null;
        }

        // The keys travel in headers: over plain http they would cross the network readable by anyone on the path.
        if (uri.Scheme == Uri.UriSchemeHttp && !uri.IsLoopback)
        {
            errors.Add(new ParameterError(path, "must use https: the keys travel in its headers (http is allowed to a loopback address only)."));
            return null;
        }

        if (uri.UserInfo.Length > 0 || uri.Query.Length > 0 || uri.Fragment.Length > 0)
        {
            errors.Add(new ParameterError(path, "must be a base address without credentials, query or fragment; keys go in apiKey and applicationKey."));
            return null;
        }

        // A base with a path prefix (a proxy at /datadog) keeps it: the API paths are appended below it.
        return uri.AbsolutePath.EndsWith('/') ? uri : new Uri(uri + "/", UriKind.Absolute);
    }

    private static string? ReadKey(JsonElement value, string path, List<ParameterError> errors)
    {
        var key = value.ValueKind == JsonValueKind.String ? value.GetString()!.Trim() : null;
        if (string.IsNullOrEmpty(key) || key.AsSpan().IndexOfAny('\r', '\n', '\0') >= 0)
        {
            // The value itself is never echoed: it is a secret.
            errors.Add(new ParameterError(path, "must be a non-empty string on one line."));
            return null;
        }

        return key;
    }

    private static long? ReadMonitorId(JsonElement value, string path, List<ParameterError> errors)
    {
        if (value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out var id) && id >= 1)
        {
            return id;
        }

        errors.Add(new ParameterError(path, "must be a monitor id, an integer of at least 1."));
        return null;
    }

    private static int ReadRetries(JsonElement value, string path, List<ParameterError> errors)
    {
        if (value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out var number) && number is >= 0 and <= MaxMaxRetries)
        {
            return number;
        }

        errors.Add(new ParameterError(path, string.Create(CultureInfo.InvariantCulture, $"must be an integer from 0 to {MaxMaxRetries}.")));
        return DefaultMaxRetries;
    }

    private static TimeSpan ReadDuration(JsonElement value, string path, TimeSpan maximum, TimeSpan fallback, List<ParameterError> errors)
    {
        if (value.ValueKind != JsonValueKind.String || !DurationText.TryParse(value.GetString(), out var duration))
        {
            errors.Add(new ParameterError(path, "must be a duration such as \"500ms\", \"5s\" or \"5m\" (units ns, us, ms, s, m, h)."));
        }
        else if (duration <= TimeSpan.Zero || duration > maximum)
        {
            errors.Add(new ParameterError(path, $"must be more than 0 and at most {Describe(maximum)}."));
        }
        else
        {
            return duration;
        }

        return fallback;
    }

    private static string Describe(TimeSpan span) => span.TotalMinutes >= 1
        ? string.Create(CultureInfo.InvariantCulture, $"{span.TotalMinutes:0.##}m")
        : string.Create(CultureInfo.InvariantCulture, $"{span.TotalSeconds:0.##}s");
}
