using Faultline.Sdk.Metrics;
using Faultline.Sdk.Validation;

namespace Faultline.Engine.Plugins;

/// <summary>Metric provider calls with deadlines; a hung provider is an unreachable provider.</summary>
public sealed class GuardedMetricProvider(IMetricProvider inner, string pluginId, PluginTimeouts timeouts)
{
    public string Name => inner.Name;

    public string PluginId => pluginId;

    public MetricProviderDescriptor Descriptor => inner.Descriptor;

    public Task<ValidationResult> ValidateAsync(MetricQuery query, CancellationToken cancellationToken) =>
        PluginCall.RunAsync($"Plugin '{pluginId}' provider '{Name}' validate", timeouts.Validate, token => inner.ValidateAsync(query, token), cancellationToken);

    public Task<InstantResult> QueryInstantAsync(MetricQuery query, DateTimeOffset at, CancellationToken cancellationToken) =>
        PluginCall.RunAsync($"Plugin '{pluginId}' provider '{Name}' instant query", timeouts.Query, token => inner.QueryInstantAsync(query, at, token), cancellationToken);

    public Task<RangeResult> QueryRangeAsync(MetricQuery query, TimeWindow window, CancellationToken cancellationToken) =>
        PluginCall.RunAsync($"Plugin '{pluginId}' provider '{Name}' range query", timeouts.Query, token => inner.QueryRangeAsync(query, window, token), cancellationToken);
}
