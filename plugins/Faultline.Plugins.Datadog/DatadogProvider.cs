using System.Globalization;
using Faultline.Sdk.Metrics;
using Faultline.Sdk.Validation;

namespace Faultline.Plugins.Datadog;

/// <summary>
/// <c>datadog</c>: metric queries and monitor states from Datadog's HTTP API (<see cref="DatadogApiClient"/>).
/// <list type="bullet">
/// <item>Range query: <c>GET /api/v1/query?from=&amp;to=&amp;query=</c> over the window; every non-null point of every
/// series. Datadog chooses the resolution from the window's length; the asked resolution is not sent (v1 has no
/// such parameter).</item>
/// <item>Instant query: Datadog has no instant endpoint, so an instant is the same query over
/// [at - instantLookback, at] (default 5 minutes), answered with the latest non-null point of each series. A series
/// with no point in that lookback gives no sample: stale is no data, not the last value ever seen.</item>
/// <item><c>monitor:&lt;id&gt;</c>: <c>GET /api/v1/monitor/{id}</c>, its overall_state as a value
/// (<see cref="MonitorState"/>). The state is only known now, so instants and windows that do not end now are
/// refused, as the http provider does.</item>
/// </list>
/// </summary>
public sealed class DatadogProvider : IMetricProvider, IDisposable
{
    public const string ProviderName = "datadog";

    /// <summary>How far from now a monitor state may be asked: the engine asks for "now", a little late.</summary>
    public static readonly TimeSpan NowTolerance = TimeSpan.FromMinutes(5);

    private readonly DatadogApiClient _client;
    private readonly TimeProvider _time;

    public DatadogProvider()
        : this(TimeProvider.System)
    {
    }

    /// <summary>A provider with its own clock: rate-limit waits, back-off and "now" all follow it.</summary>
    public DatadogProvider(TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(time);
        _time = time;
        _client = new DatadogApiClient(time);
    }

    public string Name => ProviderName;

    public MetricProviderDescriptor Descriptor { get; } = new(
        ProviderName,
        "Datadog metric queries (GET /api/v1/query) and monitor states (monitor:<id>: OK 0, Warn 0.5, Alert 1; No Data, Unknown, Skipped, Ignored give no data), honouring Datadog's rate limits.",
        DatadogSettings.Schema);

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
        var (settings, parsed) = Parse(query);
        try
        {
            if (parsed.MonitorId is { } monitorId)
            {
                EnsureNow(at);
                return new InstantResult(await MonitorAsync(settings, monitorId, at, cancellationToken) is { } sample ? [sample] : []);
            }

            var series = await SeriesAsync(settings, parsed.MetricQuery!, at - settings.InstantLookback, at, cancellationToken);
            return new InstantResult([.. series.Select(s => new MetricSample(s.Labels, s.Points[^1].Timestamp, s.Points[^1].Value))]);
        }
        catch (MetricProviderException exception) when (settings.Redact(exception.Message) != exception.Message)
        {
            // A last guard: whatever built the message (Datadog's own error text included), the keys are not in it.
            throw new MetricProviderException(settings.Redact(exception.Message));
        }
    }

    public async ValueTask<RangeResult> QueryRangeAsync(MetricQuery query, TimeWindow window, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        ArgumentNullException.ThrowIfNull(window);
        var (settings, parsed) = Parse(query);
        try
        {
            if (parsed.MonitorId is { } monitorId)
            {
                EnsureNow(window.To);
                return new RangeResult(await MonitorAsync(settings, monitorId, window.To, cancellationToken) is { } sample
                    ? [new MetricSeries(sample.Labels, [new MetricPoint(sample.Timestamp, sample.Value)])]
                    : []);
            }

            return new RangeResult(await SeriesAsync(settings, parsed.MetricQuery!, window.From, window.To, cancellationToken));
        }
        catch (MetricProviderException exception) when (settings.Redact(exception.Message) != exception.Message)
        {
            // A last guard: whatever built the message (Datadog's own error text included), the keys are not in it.
            throw new MetricProviderException(settings.Redact(exception.Message));
        }
    }

    public void Dispose() => _client.Dispose();

    private async Task<IReadOnlyList<MetricSeries>> SeriesAsync(DatadogSettings settings, string query, DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken)
    {
        // from and to are whole seconds; from rounded down and to up, so the asked span is always inside.
        var fromSeconds = from.ToUnixTimeSeconds();
        var toSeconds = (to + TimeSpan.FromTicks(TimeSpan.TicksPerSecond - 1)).ToUnixTimeSeconds();
        var uri = string.Create(
            CultureInfo.InvariantCulture,
            $"api/v1/query?from={fromSeconds}&to={toSeconds}&query={Uri.EscapeDataString(query)}");
        using var document = await _client.GetJsonAsync(settings, "query", uri, $"the query '{query}'", cancellationToken);
        return TimeseriesResponse.Read(document.RootElement, query);
    }

    private async Task<MetricSample?> MonitorAsync(DatadogSettings settings, long monitorId, DateTimeOffset at, CancellationToken cancellationToken)
    {
        var id = monitorId.ToString(CultureInfo.InvariantCulture);
        using var document = await _client.GetJsonAsync(settings, "monitor", $"api/v1/monitor/{id}", $"monitor {id}", cancellationToken);
        return MonitorState.Read(document.RootElement, monitorId, at);
    }

    private static (DatadogSettings Settings, DatadogQuery Query) Parse(MetricQuery query)
    {
        var errors = new List<ParameterError>();
        var parsed = Check(query, errors);
        return parsed is { } valid && errors.Count == 0
            ? valid
            : throw new MetricProviderException($"Invalid datadog probe: {string.Join("; ", errors.Select(e => $"{e.Path} {e.Message}"))}");
    }

    private static (DatadogSettings Settings, DatadogQuery Query)? Check(MetricQuery query, List<ParameterError> errors)
    {
        var settings = DatadogSettings.Parse(query.Configuration, errors);
        var hasMonitorId = query.Configuration.ValueKind == System.Text.Json.JsonValueKind.Object && query.Configuration.TryGetProperty("monitorId", out _);
        var parsed = DatadogQuery.Parse(query.Query, settings?.MonitorId, hasMonitorId, errors);
        return settings is not null && parsed is not null ? (settings, parsed) : null;
    }

    private void EnsureNow(DateTimeOffset at)
    {
        var now = _time.GetUtcNow();
        if ((at - now).Duration() > NowTolerance)
        {
            throw new MetricProviderException(
                $"A Datadog monitor's state is known only now ({now:O}); it cannot be read for {at:O}. Ask for the current instant.");
        }
    }
}
