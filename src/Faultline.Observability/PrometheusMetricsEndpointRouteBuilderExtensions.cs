using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Faultline.Observability;

/// <summary>Exposes the Prometheus collector as an HTTP endpoint.</summary>
public static class PrometheusMetricsEndpointRouteBuilderExtensions
{
    /// <summary>
    /// Maps <c>GET <paramref name="pattern"/></c> to the text exposition of the registered
    /// <see cref="PrometheusMetricsCollector"/>. Needs <see cref="PrometheusMetricsServiceCollectionExtensions.AddPrometheusMetrics"/>.
    /// </summary>
    /// <returns>The endpoint's builder, e.g. to restrict it with <c>RequireHost</c> or authorization.</returns>
    public static IEndpointConventionBuilder MapPrometheusMetrics(this IEndpointRouteBuilder endpoints, string pattern = "/metrics")
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        ArgumentException.ThrowIfNullOrWhiteSpace(pattern);

        // Resolved now rather than on the first scrape: the listener must be running before the application
        // records anything, or counters would start from whatever happened after the first scrape.
        var collector = endpoints.ServiceProvider.GetService<PrometheusMetricsCollector>()
            ?? throw new InvalidOperationException(
                $"{nameof(PrometheusMetricsCollector)} is not registered: call services.{nameof(PrometheusMetricsServiceCollectionExtensions.AddPrometheusMetrics)}() first.");

        RequestDelegate handler = async context =>
        {
            context.Response.ContentType = PrometheusMetricsCollector.ContentType;
            context.Response.Headers.CacheControl = "no-store";
            await collector.WriteAsync(context.Response.Body, context.RequestAborted);
        };

        return endpoints.MapGet(pattern, handler).WithDisplayName("Prometheus metrics");
    }
}
