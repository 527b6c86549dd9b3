using System.Collections.Frozen;
using System.Text;
using System.Text.Json;
using Faultline.Sdk.Validation;

namespace Faultline.Plugins.Http;

/// <summary>
/// The configuration of one http probe, read from the query's configuration object. Every problem is reported at
/// its JSON path, all at once; a configuration with any problem yields no settings.
/// </summary>
internal sealed record HttpProbeSettings(
    string Url,
    HttpMethod Method,
    IReadOnlyList<KeyValuePair<string, string>> Headers,
    string? Body,
    IReadOnlySet<int>? ExpectedStatuses,
    TimeSpan Timeout,
    int Requests,
    int Concurrency)
{
    // Also in Schema, which must stay a constant.
    public const int MaxRequests = 1000;
    public const int MaxConcurrency = 50;

    /// <summary>Long enough for a slow dependency, short enough that one probe cannot hold an experiment for long.</summary>
    public static readonly TimeSpan MaxTimeout = TimeSpan.FromSeconds(60);

    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(5);

    /// <summary>Sent unless the configuration names its own, so a probe can be told apart in the target's access log.</summary>
    public const string DefaultUserAgent = "Faultline-HttpProbe/1.0";

    private static readonly FrozenSet<string> Methods = FrozenSet.Create(StringComparer.Ordinal, "GET", "HEAD", "POST", "PUT", "DELETE");

    private static readonly FrozenSet<string> MethodsWithBody = FrozenSet.Create(StringComparer.Ordinal, "POST", "PUT", "DELETE");

    public const string Schema = $$"""
        {
          "$schema": "https://json-schema.org/draft/2020-12/schema",
          "type": "object",
          "additionalProperties": false,
          "required": ["url"],
          "properties": {
            "url": { "type": "string", "pattern": "^[hH][tT][tT][pP][sS]?://", "description": "Absolute http or https URL to probe, without credentials (they would end up in the sample's labels)." },
            "method": { "enum": ["GET", "HEAD", "POST", "PUT", "DELETE"], "default": "GET" },
            "headers": { "type": "object", "additionalProperties": { "type": "string" }, "description": "Request headers; Content-Type and other content headers only with a body." },
            "body": { "type": "string", "description": "Request body (UTF-8, text/plain unless a Content-Type header says otherwise); only with POST, PUT or DELETE." },
            "expectStatus": {
              "anyOf": [
                { "type": "integer", "minimum": 100, "maximum": 599 },
                { "type": "array", "minItems": 1, "items": { "type": "integer", "minimum": 100, "maximum": 599 } }
              ],
              "description": "The status code(s) that count as success; when absent, 200 to 399 (redirects are not followed)."
            },
            "timeout": { "type": "string", "pattern": "{{DurationText.Pattern}}", "default": "5s", "description": "Deadline of each request, response body included (at most 60s), e.g. \"500ms\"." },
            "requests": { "type": "integer", "minimum": 1, "maximum": 1000, "default": 1, "description": "How many requests one query sends." },
            "concurrency": { "type": "integer", "minimum": 1, "maximum": 50, "default": 1, "description": "How many of them are in flight at once." }
          },
          "if": { "required": ["body"] },
          "then": { "required": ["method"], "properties": { "method": { "enum": ["POST", "PUT", "DELETE"] } } }
        }
        """;

    /// <summary>A response is a success when its status is expected (by default 200-399) and it arrived in time.</summary>
    public bool IsExpected(int status) => ExpectedStatuses?.Contains(status) ?? status is >= 200 and <= 399;

    /// <summary>A new request message per request: a message can be sent only once.</summary>
    public HttpRequestMessage CreateRequest()
    {
        var request = new HttpRequestMessage(Method, new Uri(Url, UriKind.Absolute));
        if (Body is not null)
        {
            request.Content = new StringContent(Body, Encoding.UTF8);
        }

        foreach (var (name, value) in Headers)
        {
            if (!request.Headers.TryAddWithoutValidation(name, value))
            {
                // Validation let a content header through only with a body; it replaces the content's default.
                request.Content!.Headers.Remove(name);
                request.Content.Headers.TryAddWithoutValidation(name, value);
            }
        }

        if (!Headers.Any(header => string.Equals(header.Key, "User-Agent", StringComparison.OrdinalIgnoreCase)))
        {
            request.Headers.TryAddWithoutValidation("User-Agent", DefaultUserAgent);
        }

        return request;
    }

    public static HttpProbeSettings? Parse(JsonElement configuration, List<ParameterError> errors)
    {
        if (configuration.ValueKind != JsonValueKind.Object)
        {
            errors.Add(new ParameterError(JsonPath.Root, "must be an object with at least a url."));
            return null;
        }

        var before = errors.Count;
        string? url = null;
        var method = "GET";
        var headers = new List<KeyValuePair<string, string>>();
        JsonElement? headersElement = null;
        string? body = null;
        IReadOnlySet<int>? expected = null;
        var timeout = DefaultTimeout;
        var requests = 1;
        var concurrency = 1;

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
                    if (value.ValueKind == JsonValueKind.String && Methods.Contains(value.GetString()!))
                    {
                        method = value.GetString()!;
                    }
                    else
                    {
                        errors.Add(new ParameterError(path, "must be one of GET, HEAD, POST, PUT, DELETE."));
                    }

                    break;
                case "headers":
                    headersElement = value;
                    break;
                case "body":
                    if (value.ValueKind == JsonValueKind.String)
                    {
                        body = value.GetString();
                    }
                    else
                    {
                        errors.Add(new ParameterError(path, "must be a string."));
                    }

                    break;
                case "expectStatus":
                    expected = ReadStatuses(value, path, errors);
                    break;
                case "timeout":
                    timeout = ReadTimeout(value, path, errors);
                    break;
                case "requests":
                    requests = ReadInteger(value, path, 1, MaxRequests, errors);
                    break;
                case "concurrency":
                    concurrency = ReadInteger(value, path, 1, MaxConcurrency, errors);
                    break;
                default:
                    errors.Add(new ParameterError(path, "is not a setting of the http provider."));
                    break;
            }
        }

        if (url is null && !configuration.TryGetProperty("url", out _))
        {
            errors.Add(new ParameterError("$.url", "is required."));
        }

        if (body is not null && !MethodsWithBody.Contains(method))
        {
            errors.Add(new ParameterError("$.body", $"is sent only with POST, PUT or DELETE, not {method}."));
        }

        if (headersElement is { } headersValue)
        {
            ReadHeaders(headersValue, body is not null, headers, errors);
        }

        return errors.Count > before || url is null
            ? null
            : new HttpProbeSettings(url, new HttpMethod(method), headers, body, expected, timeout, requests, concurrency);
    }

    // The URL becomes a label of every sample, stored and shown: credentials must not ride in it.
    private static string? ReadUrl(JsonElement value, string path, List<ParameterError> errors) =>
        HttpUrl.Read(value, path, string.Empty, "send them in a header", errors) is null ? null : value.GetString();

    private static HashSet<int>? ReadStatuses(JsonElement value, string path, List<ParameterError> errors)
    {
        if (value.ValueKind == JsonValueKind.Number)
        {
            return ReadStatus(value, path, errors) is { } status ? new HashSet<int> { status } : null;
        }

        if (value.ValueKind != JsonValueKind.Array || value.GetArrayLength() == 0)
        {
            errors.Add(new ParameterError(path, "must be a status code (100-599) or a non-empty array of them."));
            return null;
        }

        var statuses = new HashSet<int>();
        var index = 0;
        foreach (var item in value.EnumerateArray())
        {
            if (ReadStatus(item, JsonPath.Index(path, index), errors) is { } status)
            {
                statuses.Add(status);
            }

            index++;
        }

        return statuses;
    }

    private static int? ReadStatus(JsonElement value, string path, List<ParameterError> errors)
    {
        if (value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out var status) && status is >= 100 and <= 599)
        {
            return status;
        }

        errors.Add(new ParameterError(path, "must be an HTTP status code from 100 to 599."));
        return null;
    }

    private static TimeSpan ReadTimeout(JsonElement value, string path, List<ParameterError> errors)
    {
        if (value.ValueKind != JsonValueKind.String || !DurationText.TryParse(value.GetString(), out var timeout))
        {
            errors.Add(new ParameterError(path, "must be a duration such as \"500ms\" or \"5s\" (units ns, us, ms, s, m, h)."));
        }
        else if (timeout <= TimeSpan.Zero || timeout > MaxTimeout)
        {
            errors.Add(new ParameterError(path, "must be more than 0 and at most 60s."));
        }
        else
        {
            return timeout;
        }

        return DefaultTimeout;
    }

    private static int ReadInteger(JsonElement value, string path, int minimum, int maximum, List<ParameterError> errors)
    {
        if (value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out var number) && number >= minimum && number <= maximum)
        {
            return number;
        }

        errors.Add(new ParameterError(path, $"must be an integer from {minimum} to {maximum}."));
        return minimum;
    }

    private static void ReadHeaders(JsonElement value, bool hasBody, List<KeyValuePair<string, string>> headers, List<ParameterError> errors)
    {
        const string path = "$.headers";
        if (value.ValueKind != JsonValueKind.Object)
        {
            errors.Add(new ParameterError(path, "must be an object of header names to string values."));
            return;
        }

        // The real header collections decide what is a request header, a content header, or no valid name at all.
        using var trial = new HttpRequestMessage();
        using var content = new ByteArrayContent([]);
        foreach (var header in value.EnumerateObject())
        {
            var headerPath = JsonPath.Property(path, header.Name);
            if (header.Value.ValueKind != JsonValueKind.String)
            {
                errors.Add(new ParameterError(headerPath, "must be a string."));
                continue;
            }

            var text = header.Value.GetString()!;
            if (text.AsSpan().IndexOfAny('\r', '\n', '\0') >= 0)
            {
                errors.Add(new ParameterError(headerPath, "must not contain line breaks or NUL."));
            }
            else if (string.Equals(header.Name, "Content-Length", StringComparison.OrdinalIgnoreCase))
            {
                errors.Add(new ParameterError(headerPath, "is computed from the body; it cannot be set."));
            }
            else if (trial.Headers.TryAddWithoutValidation(header.Name, text))
            {
                headers.Add(new(header.Name, text));
            }
            else if (!content.Headers.TryAddWithoutValidation(header.Name, text))
            {
                errors.Add(new ParameterError(headerPath, "is not a valid request header name."));
            }
            else if (!hasBody)
            {
                errors.Add(new ParameterError(headerPath, "describes a body: set it only together with body."));
            }
            else
            {
                headers.Add(new(header.Name, text));
            }
        }
    }
}
