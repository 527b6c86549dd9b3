using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace Faultline.Bench.Engine;

/// <summary>
/// Experiments and runs through the REST API, as a user or the CLI starts them: runs enter the engine exactly
/// the way they do in production (a committed row plus a NOTIFY), never through a back door.
/// </summary>
internal sealed class FaultlineClient : IDisposable
{
    private readonly HttpClient _http;

    public FaultlineClient(Uri baseAddress, string apiKey)
    {
        ApiKey = apiKey;
        // Loopback only: a proxy from the environment must never carry this traffic. Enough connections that a
        // burst of run starts is not serialised by the client.
        _http = new HttpClient(new SocketsHttpHandler { UseProxy = false, MaxConnectionsPerServer = 64 })
        {
            BaseAddress = baseAddress,
            Timeout = TimeSpan.FromSeconds(60),
        };
        _http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", apiKey);
    }

    public string ApiKey { get; }

    public async Task<Guid> CreateExperimentAsync(string yaml, CancellationToken cancellationToken)
    {
        using var content = new StringContent(yaml, Encoding.UTF8);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/yaml");
        using var response = await _http.PostAsync(new Uri("/api/v1/experiments", UriKind.Relative), content, cancellationToken);
        return await IdOfAsync(response, HttpStatusCode.Created, "creating an experiment", cancellationToken);
    }

    public async Task<Guid> StartRunAsync(Guid experimentId, CancellationToken cancellationToken)
    {
        using var response = await _http.PostAsync(new Uri($"/api/v1/experiments/{experimentId}/runs", UriKind.Relative), null, cancellationToken);
        return await IdOfAsync(response, HttpStatusCode.Accepted, $"starting a run of experiment {experimentId}", cancellationToken);
    }

    /// <summary>
    /// The latest <c>faults[].removedAt</c> of the run as <c>GET /api/v1/runs/{id}</c> serves it (UTC), or null
    /// while a fault is not removed: the end of an abort, as a user reading the run sees it.
    /// </summary>
    public async Task<DateTime?> LastRemovedAtAsync(Guid runId, CancellationToken cancellationToken)
    {
        using var response = await _http.GetAsync(new Uri($"/api/v1/runs/{runId}", UriKind.Relative), cancellationToken);
        var body = await response.Content.ReadAsStringAsync(cancellationToken);
        if (response.StatusCode != HttpStatusCode.OK)
        {
            throw new InvalidOperationException($"reading run {runId} answered {(int)response.StatusCode}: {body}");
        }

        using var document = JsonDocument.Parse(body);
        var removed = document.RootElement.GetProperty("faults").EnumerateArray()
            .Select(fault => fault.GetProperty("removedAt"))
            .Select(at => at.ValueKind == JsonValueKind.Null ? (DateTime?)null : at.GetDateTimeOffset().UtcDateTime)
            .ToList();
        return removed.Count == 0 || removed.Contains(null) ? null : removed.Max();
    }

    public void Dispose() => _http.Dispose();

    private static async Task<Guid> IdOfAsync(HttpResponseMessage response, HttpStatusCode expected, string what, CancellationToken cancellationToken)
    {
        var body = await response.Content.ReadAsStringAsync(cancellationToken);
        if (response.StatusCode != expected)
        {
            throw new InvalidOperationException($"{what} answered {(int)response.StatusCode}: {body}");
        }

        using var document = JsonDocument.Parse(body);
        return document.RootElement.GetProperty("id").GetGuid();
    }
}
