using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Text.Json;
using Faultline.Sdk.Metrics;
using Faultline.Sdk.Plugins;

namespace Faultline.Plugins.Prometheus;

/// <summary>
/// The Prometheus HTTP API (<c>/api/v1/query</c>, <c>/api/v1/query_range</c>) over System.Net.Http: sends one
/// query with its deadline, and turns every way it can fail into a <see cref="MetricProviderException"/> that
/// says where and why, with no credential in it.
/// </summary>
internal sealed class PrometheusApi(PrometheusClients clients, IPluginLog? log)
{
    /// <summary>Enough of a non-API answer (a proxy's error page) to recognise it, not a whole page in a message.</summary>
    private const int MaxQuotedBody = 300;

    private const string UserAgent = "Faultline-Prometheus/1.0";

    public async Task<T> QueryAsync<T>(
        PrometheusSettings settings,
        string path,
        IReadOnlyList<KeyValuePair<string, string>> parameters,
        string query,
        Func<JsonElement, string, T> read,
        CancellationToken cancellationToken)
    {
        var connection = clients.For(settings.Tls);
        var source = $"Prometheus at {settings.Location}";
        using var request = CreateRequest(settings, path, parameters);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(settings.Timeout);
        try
        {
            using var response = await connection.Client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, deadline.Token);
            using var answer = await ReadAnswerAsync(settings, request.RequestUri!, response, query, deadline.Token);
            Warn(settings, answer.RootElement, query);
            return read(answer.RootElement.GetProperty("data"), source);
        }
        catch (OperationCanceledException exception) when (!cancellationToken.IsCancellationRequested)
        {
            // Our own deadline, not the caller's cancellation (which goes on as it is).
            throw new MetricProviderException(
                $"{source} timed out after {PrometheusValue.Describe(settings.Timeout)}: no complete answer to '{query}' (timeout).", exception);
        }
        catch (HttpRequestException exception)
        {
            throw new MetricProviderException(settings.Redact(Unreachable(source, connection, exception)), exception);
        }
        catch (Exception exception) when (exception is KeyNotFoundException or InvalidOperationException or FormatException or JsonException)
        {
            throw new MetricProviderException(
                settings.Redact($"{source} answered '{query}' in a form that is not the Prometheus HTTP API's: {exception.Message}"), exception);
        }
    }

    private static HttpRequestMessage CreateRequest(PrometheusSettings settings, string path, IReadOnlyList<KeyValuePair<string, string>> parameters)
    {
        var endpoint = settings.Endpoint(path);
        HttpRequestMessage request;
        if (settings.Method == HttpMethod.Get)
        {
            var query = string.Join('&', parameters.Select(p => $"{Uri.EscapeDataString(p.Key)}={Uri.EscapeDataString(p.Value)}"));
            request = new HttpRequestMessage(HttpMethod.Get, new Uri($"{endpoint.AbsoluteUri}?{query}", UriKind.Absolute));
        }
        else
        {
            // A form body: no URL length limit for a long PromQL expression, and the query stays out of access logs.
            request = new HttpRequestMessage(HttpMethod.Post, endpoint) { Content = new FormUrlEncodedContent(parameters) };
        }

        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        request.Headers.UserAgent.ParseAdd(UserAgent);
        foreach (var (name, value) in settings.Headers)
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }

        settings.Auth?.Apply(request);
        return request;
    }

    /// <summary>The answer's JSON when its status is <c>success</c>; otherwise the reason, from Prometheus or from the HTTP status.</summary>
    private static async Task<JsonDocument> ReadAnswerAsync(
        PrometheusSettings settings, Uri endpoint, HttpResponseMessage response, string query, CancellationToken cancellationToken)
    {
        var source = $"Prometheus at {settings.Location}";
        if (response.Content.Headers.ContentType?.MediaType?.EndsWith("json", StringComparison.OrdinalIgnoreCase) != true)
        {
            var body = await response.Content.ReadAsStringAsync(cancellationToken);
            throw new MetricProviderException(settings.Redact(NotTheApi(settings, source, endpoint, response, body)));
        }

        var stream = await response.Content.ReadAsStreamAsync(cancellationToken);
        JsonDocument document;
        await using (stream)
        {
            document = await JsonDocument.ParseAsync(stream, default, cancellationToken);
        }

        var root = document.RootElement;
        if (root.ValueKind == JsonValueKind.Object && root.TryGetProperty("status", out var status) && status.ValueKind == JsonValueKind.String && status.GetString() == "success")
        {
            return document;
        }

        using (document)
        {
            throw new MetricProviderException(settings.Redact(Refusal(source, response.StatusCode, root, query)));
        }
    }

    /// <summary>Prometheus' own error: <c>errorType</c> (bad_data, execution, timeout, ...) and <c>error</c>, as it wrote them.</summary>
    private static string Refusal(string source, HttpStatusCode status, JsonElement root, string query)
    {
        var type = Text(root, "errorType") ?? "unknown";
        var error = Text(root, "error") ?? "(no error message)";
        var code = $"HTTP {(int)status}";
        return type == "bad_data"
            ? $"{source} refused '{query}' as bad_data ({code}): {error}. The query is not valid PromQL, or its time range or step is not one Prometheus accepts."
            : $"{source} could not answer '{query}': {type} ({code}): {error}";
    }

    /// <summary>A reply that is not the API's JSON: a login wall, a wrong path prefix, a proxy's error page.</summary>
    private static string NotTheApi(PrometheusSettings settings, string source, Uri endpoint, HttpResponseMessage response, string body)
    {
        var status = $"{(int)response.StatusCode} {response.ReasonPhrase}";
        var quoted = body.Length > MaxQuotedBody ? body[..MaxQuotedBody] + "..." : body;
        return response.StatusCode switch
        {
            HttpStatusCode.Unauthorized => settings.Auth is null
                ? $"{source} answered {status}: it requires credentials; set auth.basic or auth.bearer."
                : $"{source} answered {status}: it refused the credentials of auth ({settings.Auth}).",
            HttpStatusCode.Forbidden => $"{source} answered {status}: these credentials may not query it.",
            HttpStatusCode.NotFound => $"{source} answered {status} for {endpoint.GetLeftPart(UriPartial.Path)}: no Prometheus HTTP API there; check url and its path prefix.",
            >= HttpStatusCode.MultipleChoices and < HttpStatusCode.BadRequest =>
                $"{source} answered {status}, a redirect to {response.Headers.Location}: set url to where the API is (redirects are not followed).",
            _ => $"{source} answered {status} ({response.Content.Headers.ContentType?.MediaType ?? "no content type"}) instead of the API's JSON: {quoted.Trim()}",
        };
    }

    private static string Unreachable(string source, PrometheusConnection connection, HttpRequestException exception)
    {
        if (Find<AuthenticationException>(exception) is { } tls)
        {
            var hint = connection.Check is null
                ? " Set tls.caFile to the CA that signs its certificate (or, for tests only, tls.insecureSkipVerify)."
                : string.Empty;
            return $"TLS with {source} failed: {connection.Check?.LastRejection ?? tls.Message}.{hint}";
        }

        return Find<SocketException>(exception) is { SocketErrorCode: SocketError.ConnectionRefused }
            ? $"{source} refused the connection: nothing listens there ({exception.Message})."
            : $"{source} cannot be reached: {exception.Message}";
    }

    private void Warn(PrometheusSettings settings, JsonElement root, string query)
    {
        if (log is null || !root.TryGetProperty("warnings", out var warnings) || warnings.ValueKind != JsonValueKind.Array)
        {
            return;
        }

        // The result types carry no warnings, so the host's log does: a partial answer (a store that did not reply)
        // should not pass unseen.
        foreach (var warning in warnings.EnumerateArray())
        {
            log.Warn(settings.Redact($"Prometheus at {settings.Location} warned about '{query}': {warning}"));
        }
    }

    private static string? Text(JsonElement root, string name) =>
        root.ValueKind == JsonValueKind.Object && root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static T? Find<T>(Exception? exception)
        where T : Exception
    {
        for (; exception is not null; exception = exception.InnerException)
        {
            if (exception is T found)
            {
                return found;
            }
        }

        return null;
    }
}
