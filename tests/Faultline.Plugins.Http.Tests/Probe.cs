using System.Text.Json;
using Faultline.Sdk.Metrics;

namespace Faultline.Plugins.Http.Tests;

/// <summary>Shorthands for the queries the tests send.</summary>
internal static class Probe
{
    public static MetricQuery Query(string query, object configuration) => new(query, JsonSerializer.SerializeToElement(configuration));

    /// <summary>Runs one instant query now and returns its only sample's value.</summary>
    public static async Task<double> MeasureAsync(this HttpProbeProvider provider, string query, object configuration)
    {
        var result = await provider.QueryInstantAsync(Query(query, configuration), DateTimeOffset.UtcNow, TestContext.Current.CancellationToken);
        return Assert.Single(result.Samples).Value;
    }
}
