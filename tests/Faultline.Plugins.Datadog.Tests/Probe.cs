using System.Text.Json;
using Faultline.Sdk.Metrics;

namespace Faultline.Plugins.Datadog.Tests;

/// <summary>Shorthands for the queries the tests send.</summary>
internal static class Probe
{
    public static CancellationToken Token => TestContext.Current.CancellationToken;

    /// <summary>A query of <paramref name="server"/> with its configuration plus <paramref name="settings"/> (name, value pairs).</summary>
    public static MetricQuery Of(FakeDatadog server, string query, params (string Name, object Value)[] settings)
    {
        var configuration = server.Configuration();
        foreach (var (name, value) in settings)
        {
            configuration[name] = value;
        }

        return new MetricQuery(query, JsonSerializer.SerializeToElement(configuration));
    }

    public static JsonElement Json(string json)
    {
        using var document = JsonDocument.Parse(json);
        return document.RootElement.Clone();
    }

    public static TimeWindow LastMinutes(int minutes)
    {
        var now = DateTimeOffset.UtcNow;
        return new TimeWindow(now.AddMinutes(-minutes), now, TimeSpan.FromSeconds(15));
    }
}
