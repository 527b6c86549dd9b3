using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Faultline.Observability;

/// <summary>Registers the Prometheus collector with dependency injection.</summary>
public static class PrometheusMetricsServiceCollectionExtensions
{
    /// <summary>
    /// Registers a singleton <see cref="PrometheusMetricsCollector"/> configured from <see cref="PrometheusMetricsOptions"/>.
    /// Calling it again only adds <paramref name="configure"/> to the options.
    /// </summary>
    public static IServiceCollection AddPrometheusMetrics(this IServiceCollection services, Action<PrometheusMetricsOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);

        var options = services.AddOptions<PrometheusMetricsOptions>();
        if (configure is not null)
        {
            options.Configure(configure);
        }

        // The container owns and disposes the collector, which stops its MeterListener at shutdown.
        services.TryAddSingleton(static provider =>
            new PrometheusMetricsCollector(provider.GetRequiredService<IOptions<PrometheusMetricsOptions>>().Value));
        return services;
    }
}
