using System.Globalization;
using System.Text.Json;
using Faultline.Sdk.Metrics;

namespace Faultline.Plugins.Datadog;

/// <summary>
/// A monitor's <c>overall_state</c> as a probe value. Reference (GET /api/v1/monitor/{monitor_id}, field
/// overall_state, enum MonitorOverallStates): https://docs.datadoghq.com/api/latest/monitors/get-a-monitors-details/.
/// <list type="table">
/// <item><term>OK</term><description>0</description></item>
/// <item><term>Warn</term><description>0.5: between the two, so <c>lessThan: 1</c> tolerates a warning and <c>lessThan: 0.5</c> does not</description></item>
/// <item><term>Alert</term><description>1, the breach</description></item>
/// <item><term>No Data, Unknown, Skipped, Ignored</term><description>no value at all (an empty result): the monitor
/// cannot say whether the system is healthy, and an empty result is judged by the probe's onProviderError
/// (by default abort), never passed as 0</description></item>
/// </list>
/// Any other text is an error: an undocumented state is not guessed at. Samples carry the state text in the label
/// <c>overall_state</c>, with <c>monitor_id</c> and <c>monitor_name</c>.
/// </summary>
internal static class MonitorState
{
    public static double? ValueOf(string state) => state switch
    {
        "OK" => 0,
        "Warn" => 0.5,
        "Alert" => 1,
        "No Data" or "Unknown" or "Skipped" or "Ignored" => null,
        _ => throw new MetricProviderException($"Datadog reported the undocumented monitor state '{state}'; expected OK, Warn, Alert, No Data, Unknown, Skipped or Ignored."),
    };

    /// <summary>The monitor's state as a sample at <paramref name="at"/>, or none when the state carries no value.</summary>
    public static MetricSample? Read(JsonElement monitor, long monitorId, DateTimeOffset at)
    {
        if (monitor.ValueKind != JsonValueKind.Object ||
            !monitor.TryGetProperty("overall_state", out var stateElement) ||
            stateElement.ValueKind != JsonValueKind.String)
        {
            throw new MetricProviderException(string.Create(
                CultureInfo.InvariantCulture,
                $"Datadog's answer for monitor {monitorId} is not the documented shape: no overall_state string."));
        }

        var state = stateElement.GetString()!;
        if (ValueOf(state) is not { } value)
        {
            return null;
        }

        var labels = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["monitor_id"] = monitorId.ToString(CultureInfo.InvariantCulture),
            ["overall_state"] = state,
        };
        if (monitor.TryGetProperty("name", out var name) && name.ValueKind == JsonValueKind.String)
        {
            labels["monitor_name"] = name.GetString()!;
        }

        return new MetricSample(labels, at, value);
    }
}
