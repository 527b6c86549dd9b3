using System.Globalization;

namespace Faultline.Bench.Load;

/// <summary>
/// A scenario against the floor (/healthz on the same server and client): what the endpoint's own work
/// (auth, database, serialisation) costs, with the HTTP stack and the load generator factored out.
/// </summary>
internal sealed record FloorRatio(double RequestsPerSecond, double P99)
{
    public static FloorRatio Of(ScenarioResult result, ScenarioResult floor) =>
        new(result.RequestsPerSecond / floor.RequestsPerSecond, result.P99Ms / floor.P99Ms);

    public override string ToString() => string.Create(
        CultureInfo.InvariantCulture, $"{RequestsPerSecond:0.00}x floor req/s, {P99:0.0}x floor p99");
}
