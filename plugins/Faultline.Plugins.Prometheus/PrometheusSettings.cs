using System.Text.Json;
using Faultline.Sdk.Validation;

namespace Faultline.Plugins.Prometheus;

/// <summary>
/// Where and how to query one Prometheus, read from the query's configuration object. Every problem is reported at
/// its JSON path, all at once; a configuration with any problem yields no settings.
/// </summary>
internal sealed record PrometheusSettings(
    Uri BaseUrl,
    HttpMethod Method,
    TimeSpan Timeout,
    TimeSpan? Step,
    PrometheusAuth? Auth,
    PrometheusTls Tls,
    IReadOnlyList<KeyValuePair<string, string>> Headers)
{
    /// <summary>
    /// Inside the host's own deadline for a metric query (10 s), so that a slow Prometheus is reported by this
    /// provider, which can say where and after how long, rather than by the host abandoning the call.
    /// </summary>
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(5);

    /// <summary>Long enough for a heavy range query; a probe that waits longer holds its experiment for too long.</summary>
    public static readonly TimeSpan MaxTimeout = TimeSpan.FromSeconds(60);

    public static readonly TimeSpan MaxStep = TimeSpan.FromHours(24);

    public const string Schema = $$"""
        {
          "$schema": "https://json-schema.org/draft/2020-12/schema",
          "type": "object",
          "additionalProperties": false,
          "required": ["url"],
          "properties": {
            "url": { "type": "string", "pattern": "^[hH][tT][tT][pP][sS]?://[^?#@]+$", "description": "Base URL of the Prometheus HTTP API, with its path prefix if any (https://mimir.example/prometheus); no credentials, query or fragment." },
            "method": { "enum": ["GET", "POST"], "default": "POST", "description": "POST sends the query as a form (no URL length limit); GET for proxies that allow nothing else." },
            "timeout": { "type": "string", "pattern": "{{DurationText.Pattern}}", "default": "5s", "description": "Deadline of each request, answer included (at most 60s); also sent to Prometheus as its evaluation timeout." },
            "step": { "type": "string", "pattern": "{{DurationText.Pattern}}", "description": "Resolution of range queries (at most 24h), instead of the one the engine asks for." },
            "auth": {
              "type": "object",
              "additionalProperties": false,
              "minProperties": 1,
              "maxProperties": 1,
              "properties": {
                "basic": {
                  "type": "object",
                  "additionalProperties": false,
                  "required": ["username", "password"],
                  "properties": {
                    "username": { "type": "string", "pattern": "^[^:]+$" },
                    "password": { "type": "string", "minLength": 1 }
                  }
                },
                "bearer": {
                  "type": "object",
                  "additionalProperties": false,
                  "required": ["token"],
                  "properties": { "token": { "type": "string", "minLength": 1 } }
                }
              },
              "description": "HTTP basic auth or a bearer token, not both."
            },
            "tls": {
              "type": "object",
              "additionalProperties": false,
              "properties": {
                "caFile": { "type": "string", "minLength": 1, "description": "PEM file of the CA certificate(s) that sign the server's certificate." },
                "certFile": { "type": "string", "minLength": 1, "description": "PEM file of the client certificate, with keyFile." },
                "keyFile": { "type": "string", "minLength": 1, "description": "PEM file of the client certificate's private key, with certFile." },
                "serverName": { "type": "string", "minLength": 1, "description": "The name the server's certificate must carry, when the URL's host is not it." },
                "insecureSkipVerify": { "type": "boolean", "default": false, "description": "Accept any server certificate (tests only); not with caFile or serverName." }
              },
              "anyOf": [
                { "required": ["certFile", "keyFile"] },
                { "not": { "anyOf": [{ "required": ["certFile"] }, { "required": ["keyFile"] }] } }
              ]
            },
            "headers": { "type": "object", "additionalProperties": { "type": "string" }, "description": "Extra request headers, e.g. X-Scope-OrgID for Mimir or Cortex; not Authorization (use auth)." }
          }
        }
        """;

    /// <summary>Where the API is, for messages: the base URL, which carries no credentials (validation refuses them).</summary>
    public string Location => BaseUrl.AbsoluteUri;

    /// <summary>An endpoint below the base URL, keeping its path prefix: <c>api/v1/query</c> of <c>https://m.example/prometheus</c>.</summary>
    public Uri Endpoint(string path) => new($"{BaseUrl.AbsoluteUri.TrimEnd('/')}/{path}", UriKind.Absolute);

    /// <summary>
    /// A text with every credential this configuration sends replaced. Header values count: gateways take API keys
    /// in headers (X-Api-Key), and the provider cannot tell which header is secret.
    /// </summary>
    public string Redact(string text)
    {
        var secrets = (Auth?.Secrets ?? []).Concat(Headers.Select(header => header.Value).Where(value => value.Length >= 4));
        foreach (var secret in secrets.OrderByDescending(secret => secret.Length))
        {
            text = text.Replace(secret, "***", StringComparison.Ordinal);
        }

        return text;
    }

    public static PrometheusSettings? Parse(JsonElement configuration, List<ParameterError> errors)
    {
        if (!ConfigValue.Object(configuration, JsonPath.Root, "with at least a url", errors))
        {
            return null;
        }

        var before = errors.Count;
        Uri? url = null;
        var method = HttpMethod.Post;
        var timeout = DefaultTimeout;
        TimeSpan? step = null;
        PrometheusAuth? auth = null;
        var tls = PrometheusTls.Default;
        IReadOnlyList<KeyValuePair<string, string>> headers = [];

        foreach (var property in configuration.EnumerateObject())
        {
            var path = JsonPath.Property(JsonPath.Root, property.Name);
            var value = property.Value;
            switch (property.Name)
            {
                case "url":
                    url = ReadUrl(value, path, errors);
                    break;
                case "method":
                    method = ReadMethod(value, path, errors);
                    break;
                case "timeout":
                    timeout = ConfigValue.Duration(value, path, MaxTimeout, "60s", errors) ?? DefaultTimeout;
                    break;
                case "step":
                    step = ConfigValue.Duration(value, path, MaxStep, "24h", errors);
                    break;
                case "auth":
                    auth = PrometheusAuth.Read(value, errors);
                    break;
                case "tls":
                    tls = PrometheusTls.Read(value, errors) ?? PrometheusTls.Default;
                    break;
                case "headers":
                    headers = RequestHeaders.Read(value, errors);
                    break;
                default:
                    errors.Add(new ParameterError(path, "is not a setting of the prometheus provider."));
                    break;
            }
        }

        if (!configuration.TryGetProperty("url", out _))
        {
            errors.Add(new ParameterError("$.url", "is required: the base URL of the Prometheus HTTP API."));
        }

        return errors.Count > before || url is null
            ? null
            : new PrometheusSettings(url, method, timeout, step, auth, tls, headers);
    }

    private static Uri? ReadUrl(JsonElement value, string path, List<ParameterError> errors)
    {
        // Messages name the URL, so a credential in it would be shown everywhere; auth.basic is where it goes.
        if (HttpUrl.Read(value, path, ", e.g. http://prometheus:9090", "use auth.basic", errors) is not { } uri)
        {
            return null;
        }

        if (uri.Query.Length > 0 || uri.Fragment.Length > 0)
        {
            errors.Add(new ParameterError(path, "must be the API's base URL, without a query or fragment (the provider adds /api/v1/...)."));
            return null;
        }

        return uri;
    }

    private static HttpMethod ReadMethod(JsonElement value, string path, List<ParameterError> errors)
    {
        switch (value.ValueKind == JsonValueKind.String ? value.GetString() : null)
        {
            case "GET":
                return HttpMethod.Get;
            case "POST":
                return HttpMethod.Post;
            default:
                errors.Add(new ParameterError(path, "must be GET or POST."));
                return HttpMethod.Post;
        }
    }
}
