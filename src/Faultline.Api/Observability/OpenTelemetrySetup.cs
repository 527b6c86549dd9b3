using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace Faultline.Api.Observability;

/// <summary>
/// OTLP export of traces and metrics when OTEL_EXPORTER_OTLP_ENDPOINT is set. Built with the plain SDK
/// builders because OpenTelemetry.Extensions.Hosting does not restore here; the providers are singletons
/// so the container flushes and disposes them at shutdown.
/// </summary>
public static class OpenTelemetrySetup
{
    public static bool IsEnabled => !string.IsNullOrWhiteSpace(Environment.GetEnvironmentVariable("OTEL_EXPORTER_OTLP_ENDPOINT"));

    public static IServiceCollection AddFaultlineOpenTelemetry(this IServiceCollection services)
    {
        if (!IsEnabled)
        {
            return services;
        }

        var resource = ResourceBuilder.CreateDefault().AddService("faultline", serviceVersion: typeof(OpenTelemetrySetup).Assembly.GetName().Version?.ToString());
        services.AddSingleton(_ => OpenTelemetry.Sdk.CreateTracerProviderBuilder()
            .SetResourceBuilder(resource)
            .AddSource(FaultlineTelemetry.ActivitySourceNames)
            .AddOtlpExporter()
            .Build());
        services.AddSingleton(_ => OpenTelemetry.Sdk.CreateMeterProviderBuilder()
            .SetResourceBuilder(resource)
            .AddMeter(FaultlineTelemetry.MeterNames)
            .AddOtlpExporter()
            .Build());
        services.AddHostedService<OpenTelemetryActivator>();
        return services;
    }

    /// <summary>Resolves the providers at start, so listening begins before the first request.</summary>
    private sealed class OpenTelemetryActivator(TracerProvider tracer, MeterProvider meter) : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken)
        {
            GC.KeepAlive(tracer);
            GC.KeepAlive(meter);
            return Task.CompletedTask;
        }

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
