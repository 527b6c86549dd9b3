using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Faultline.Api.Observability;

/// <summary>The platform's own trace source and meter; exported over OTLP and on /metrics.</summary>
public static class FaultlineTelemetry
{
    public const string Name = "Faultline";

    public static readonly ActivitySource ActivitySource = new(Name);

    public static readonly Meter Meter = new(Name);

    /// <summary>Presented API keys that were refused, by reason; a spike means a leaked or stale key in use.</summary>
    public static readonly Counter<long> AuthenticationFailures = Meter.CreateCounter<long>(
        "faultline.api.authentication.failures", "{failure}", "API key authentications refused, by reason.");

    /// <summary>Meters whose instruments /metrics and OTLP export: ours and the built-in ones of the stack.</summary>
    public static readonly string[] MeterNames =
    [
        Name,
        Engine.Runs.EngineTelemetry.MeterName,
        "Microsoft.AspNetCore.Hosting",
        "Microsoft.AspNetCore.Server.Kestrel",
        "Microsoft.AspNetCore.RateLimiting",
        "Microsoft.AspNetCore.Authentication",
        "System.Net.Http",
        "Npgsql",
    ];

    /// <summary>
    /// Trace sources with built-in instrumentation (the instrumentation packages do not restore here). ASP.NET
    /// Core's is matched by prefix: the exact name alone did not yield request spans with OpenTelemetry 1.20.
    /// </summary>
    public static readonly string[] ActivitySourceNames = [Name, "Microsoft.AspNetCore*", "System.Net.Http", "Npgsql"];
}
