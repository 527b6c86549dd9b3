using System.Diagnostics.Metrics;

namespace Faultline.Observability;

/// <summary>Which meters a <see cref="PrometheusMetricsCollector"/> exposes, and how many series it keeps.</summary>
public sealed class PrometheusMetricsOptions
{
    internal const int DefaultMaxSeriesPerInstrument = 2000;

    /// <summary>
    /// The meters exposed unless configured otherwise: ASP.NET Core's request and connection metrics, outgoing HTTP,
    /// the PostgreSQL driver and Faultline's own meters.
    /// </summary>
    public static IReadOnlyList<string> DefaultMeters { get; } =
    [
        "Microsoft.AspNetCore.Hosting",
        "Microsoft.AspNetCore.Server.Kestrel",
        "System.Net.Http",
        "Npgsql",
        "Faultline",
        "Faultline.",
    ];

    /// <summary>
    /// Meter names to include, compared ignoring case. An entry ending in <c>.</c> or <c>*</c> is a prefix:
    /// <c>"Faultline."</c> matches <c>Faultline.Chaos</c> but not <c>Faultline</c> itself. Starts as
    /// <see cref="DefaultMeters"/>; clear it to choose from scratch.
    /// </summary>
    public IList<string> Meters { get; } = [.. DefaultMeters];

    /// <summary>An extra predicate: a meter is included when its name is in <see cref="Meters"/> or this returns true.</summary>
    public Func<Meter, bool>? MeterFilter { get; set; }

    /// <summary>
    /// Distinct tag sets kept per instrument. Measurements with new tag sets beyond it are added to one series
    /// labelled <c>otel_metric_overflow="true"</c>, as OpenTelemetry's cardinality limit does.
    /// </summary>
    public int MaxSeriesPerInstrument { get; set; } = DefaultMaxSeriesPerInstrument;
}
