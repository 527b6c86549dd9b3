using System.Globalization;
using Faultline.Api.Hosting;

namespace Faultline.Commands;

/// <summary>Server settings from the environment, so containers and CI can configure nodes without flags.</summary>
internal static class ServerSettings
{
    public static FaultlineServerOptions From(string connectionString, string host, int port, string defaultLogFormat) => new()
    {
        ConnectionString = connectionString,
        Urls = [$"http://{host}:{port.ToString(CultureInfo.InvariantCulture)}"],
        LogFormat = Environment.GetEnvironmentVariable("FAULTLINE_LOG_FORMAT") ?? defaultLogFormat,
        RateLimit = new RateLimitOptions
        {
            PermitsPerSecond = IntFromEnvironment("FAULTLINE_RATE_LIMIT_RPS", 100),
            Burst = IntFromEnvironment("FAULTLINE_RATE_LIMIT_BURST", 200),
        },
        MaxRequestBodyBytes = IntFromEnvironment("FAULTLINE_MAX_BODY_BYTES", 1024 * 1024),
    };

    public static int IntFromEnvironment(string name, int fallback) =>
        int.TryParse(Environment.GetEnvironmentVariable(name), NumberStyles.None, CultureInfo.InvariantCulture, out var value) ? value : fallback;
}
