using System.Text.Json;
using Faultline.Sdk.Metrics;

namespace Faultline.Plugins.Prometheus.Tests;

/// <summary>Shorthands for the queries the tests send.</summary>
internal static class Queries
{
    public static MetricQuery Of(string query, object configuration) => new(query, JsonSerializer.SerializeToElement(configuration));

    /// <summary>A window ending now, as the engine asks for one.</summary>
    public static TimeWindow LastSeconds(int seconds, TimeSpan step)
    {
        var now = DateTimeOffset.UtcNow;
        return new TimeWindow(now.AddSeconds(-seconds), now, step);
    }
}
