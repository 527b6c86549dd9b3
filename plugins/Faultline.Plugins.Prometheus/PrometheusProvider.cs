using Faultline.Sdk.Metrics;
using Faultline.Sdk.Plugins;
using Faultline.Sdk.Validation;

namespace Faultline.Plugins.Prometheus;

/// <summary>
/// <c>prometheus</c>: PromQL through the Prometheus HTTP API (also served by Thanos, Mimir and Cortex). An instant
/// query answers with one sample per series (a scalar as one sample without labels); a range query with the
/// series' points. Nothing matched is an empty result, never a zero; NaN is returned as NaN. A Prometheus that
/// cannot answer (unreachable, timed out, refusing the query or the credentials) throws
/// <see cref="MetricProviderException"/>, and the probe's policy decides what that means.
/// </summary>
public sealed class PrometheusProvider : IMetricProvider, IDisposable
{
    public const string ProviderName = "prometheus";

    private readonly PrometheusClients _clients = new();
    private readonly PrometheusApi _api;

    public PrometheusProvider()
        : this(null)
    {
    }

    /// <summary>A provider that reports the warnings Prometheus attaches to answers to <paramref name="log"/>.</summary>
    public PrometheusProvider(IPluginLog? log)
    {
        _api = new PrometheusApi(_clients, log);
    }

    public string Name => ProviderName;

    public MetricProviderDescriptor Descriptor { get; } = new(
        ProviderName,
        "PromQL instant and range queries against the Prometheus HTTP API (Prometheus, Thanos, Mimir, Cortex), with basic or bearer auth and TLS.",
        PrometheusSettings.Schema);

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
        var settings = Parse(query);
        var text = query.Query.Trim();
        KeyValuePair<string, string>[] parameters =
        [
            new("query", text),
            new("time", PrometheusValue.Seconds(at)),
            new("timeout", PrometheusValue.Duration(settings.Timeout)),
        ];
        return await _api.QueryAsync(settings, "api/v1/query", parameters, text, (data, source) => PrometheusResults.Instant(data, source, text), cancellationToken);
    }

    public async ValueTask<RangeResult> QueryRangeAsync(MetricQuery query, TimeWindow window, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        ArgumentNullException.ThrowIfNull(window);
        var settings = Parse(query);
        var text = query.Query.Trim();
        var step = settings.Step ?? window.Resolution;
        if (window.To < window.From || step <= TimeSpan.Zero)
        {
            throw new MetricProviderException(
                $"A range query needs a window that does not end before it starts and a positive step; got {window.From:O} to {window.To:O} every {step}.");
        }

        KeyValuePair<string, string>[] parameters =
        [
            new("query", text),
            new("start", PrometheusValue.Seconds(window.From)),
            new("end", PrometheusValue.Seconds(window.To)),
            new("step", PrometheusValue.Seconds(step)),
            new("timeout", PrometheusValue.Duration(settings.Timeout)),
        ];
        return await _api.QueryAsync(settings, "api/v1/query_range", parameters, text, (data, source) => PrometheusResults.Range(data, source, text), cancellationToken);
    }

    public void Dispose() => _clients.Dispose();

    private static PrometheusSettings Parse(MetricQuery query)
    {
        var errors = new List<ParameterError>();
        var settings = Check(query, errors);
        return settings is not null && errors.Count == 0
            ? settings
            : throw new MetricProviderException($"Invalid prometheus query: {ParameterErrors.Describe(errors)}");
    }

    private static PrometheusSettings? Check(MetricQuery query, List<ParameterError> errors)
    {
        var settings = PrometheusSettings.Parse(query.Configuration, errors);

        // The PromQL itself is Prometheus' to judge, at query time (with its own bad_data message); an empty one
        // is refused here because no Prometheus could make it mean anything.
        if (string.IsNullOrWhiteSpace(query.Query))
        {
            errors.Add(new ParameterError("query", "must be a PromQL expression; it is empty."));
        }

        return settings;
    }
}
