using System.Diagnostics;
using System.Globalization;
using System.Net;
using Faultline.Sdk.Metrics;
using Faultline.Sdk.Validation;

namespace Faultline.Plugins.Http;

/// <summary>
/// <c>http</c>: a synthetic probe. Each query sends the configured requests now and measures them; the query
/// names the measure (<see cref="ProbeQuery"/>). Refused connections, resets and timeouts are measurements
/// (failed requests), never exceptions: they are exactly what a chaos experiment looks for. Only an invalid
/// configuration or query, or an instant that is not now, throws <see cref="MetricProviderException"/>.
/// Range queries: the provider cannot look back, so a range query is answered with one point at the window's
/// end, measured now; like an instant query, it is refused when that end is not now.
/// </summary>
public sealed class HttpProbeProvider : IMetricProvider, IDisposable
{
    public const string ProviderName = "http";

    /// <summary>
    /// How far from now the asked instant may be. The engine asks for "now" and the probe itself takes time, so a
    /// little slack is needed; an instant further away would be answered with a measurement of another time.
    /// </summary>
    public static readonly TimeSpan NowTolerance = TimeSpan.FromMinutes(5);

    private readonly HttpClient _client;
    private readonly TimeProvider _time;

    public HttpProbeProvider()
        : this(TimeProvider.System)
    {
    }

    /// <summary>A provider with its own clock, for tests of the "not now" refusal.</summary>
    public HttpProbeProvider(TimeProvider time)
    {
        _time = time;

        // No proxy: the probe measures the path to the service itself, and an HTTP_PROXY meant for other traffic
        // would otherwise measure the proxy (or send a loopback probe off the machine). Redirects are answers to
        // measure, not to follow (3xx counts as success by default). No cookies: every probe is alike. Pooled
        // connections are recycled so a DNS change behind the URL is picked up during a long experiment.
        _client = new HttpClient(new SocketsHttpHandler
        {
            UseProxy = false,
            AllowAutoRedirect = false,
            UseCookies = false,
            AutomaticDecompression = DecompressionMethods.None,
            PooledConnectionLifetime = TimeSpan.FromMinutes(2),
        })
        {
            // Each request has its own deadline (the configured timeout); the client's would only get in the way.
            Timeout = System.Threading.Timeout.InfiniteTimeSpan,
        };
    }

    public string Name => ProviderName;

    public MetricProviderDescriptor Descriptor { get; } = new(
        ProviderName,
        "Synthetic HTTP probe: sends requests now and measures success_ratio, latency_p50_ms/p90/p99/max, error_count or status:<code>.",
        HttpProbeSettings.Schema);

    public ValueTask<ValidationResult> ValidateAsync(MetricQuery query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        var errors = new List<ParameterError>();
        _ = Check(query, errors);
        return ValueTask.FromResult(new ValidationResult(errors));
    }

    public async ValueTask<InstantResult> QueryInstantAsync(MetricQuery query, DateTimeOffset at, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        var (settings, probe) = Parse(query);
        EnsureNow(at);
        var value = probe.Evaluate(await RunAsync(settings, cancellationToken));
        return new InstantResult([new MetricSample(Labels(settings, query), at, value)]);
    }

    public async ValueTask<RangeResult> QueryRangeAsync(MetricQuery query, TimeWindow window, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        ArgumentNullException.ThrowIfNull(window);
        var (settings, probe) = Parse(query);
        EnsureNow(window.To);
        var value = probe.Evaluate(await RunAsync(settings, cancellationToken));
        return new RangeResult([new MetricSeries(Labels(settings, query), [new MetricPoint(window.To, value)])]);
    }

    public void Dispose() => _client.Dispose();

    /// <summary>Sends every request of the probe, at most <c>concurrency</c> at a time, and returns their outcomes in order.</summary>
    private async Task<IReadOnlyList<ProbeOutcome>> RunAsync(HttpProbeSettings settings, CancellationToken cancellationToken)
    {
        var outcomes = new ProbeOutcome[settings.Requests];
        await Parallel.ForEachAsync(
            Enumerable.Range(0, settings.Requests),
            new ParallelOptions { MaxDegreeOfParallelism = settings.Concurrency, CancellationToken = cancellationToken },
            async (index, token) => outcomes[index] = await SendAsync(settings, token));
        return outcomes;
    }

    private async Task<ProbeOutcome> SendAsync(HttpProbeSettings settings, CancellationToken cancellationToken)
    {
        using var request = settings.CreateRequest();
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(settings.Timeout);
        int? status = null;
        var started = Stopwatch.GetTimestamp();
        try
        {
            // Headers first, then the body drained without buffering it: the deadline covers both, memory neither.
            using var response = await _client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, deadline.Token);
            status = (int)response.StatusCode;
            var body = await response.Content.ReadAsStreamAsync(deadline.Token);
            await using (body)
            {
                await body.CopyToAsync(Stream.Null, deadline.Token);
            }

            var latency = Stopwatch.GetElapsedTime(started);
            var expected = settings.IsExpected(status.Value);
            return new ProbeOutcome(status, latency, expected, expected ? null : string.Create(CultureInfo.InvariantCulture, $"unexpected status {status}"));
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            // Our own deadline, not the caller's cancellation: a timed-out request is a failed measurement.
            return new ProbeOutcome(status, Stopwatch.GetElapsedTime(started), false, $"no complete response within {settings.Timeout.TotalMilliseconds:0} ms");
        }
        catch (Exception exception) when (exception is HttpRequestException or IOException)
        {
            return new ProbeOutcome(status, Stopwatch.GetElapsedTime(started), false, exception.Message);
        }
    }

    private static (HttpProbeSettings Settings, ProbeQuery Query) Parse(MetricQuery query)
    {
        var errors = new List<ParameterError>();
        var parsed = Check(query, errors);
        return parsed is { } valid && errors.Count == 0
            ? valid
            : throw new MetricProviderException($"Invalid http probe: {ParameterErrors.Describe(errors)}");
    }

    private static (HttpProbeSettings Settings, ProbeQuery Query)? Check(MetricQuery query, List<ParameterError> errors)
    {
        var settings = HttpProbeSettings.Parse(query.Configuration, errors);
        if (!ProbeQuery.TryParse(query.Query, out var probe))
        {
            errors.Add(new ParameterError("query", $"'{query.Query}' is not a measure of the http provider; use {ProbeQuery.Names}."));
        }

        return settings is not null && probe is not null ? (settings, probe) : null;
    }

    private void EnsureNow(DateTimeOffset at)
    {
        var now = _time.GetUtcNow();
        if ((at - now).Duration() > NowTolerance)
        {
            throw new MetricProviderException(
                $"The http provider measures now ({now:O}); it cannot answer for {at:O}. Ask for the current instant.");
        }
    }

    private static Dictionary<string, string> Labels(HttpProbeSettings settings, MetricQuery query) => new(StringComparer.Ordinal)
    {
        ["url"] = settings.Url,
        ["query"] = query.Query.Trim(),
    };
}
