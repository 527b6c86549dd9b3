using System.Globalization;
using Faultline.Sdk.Validation;

namespace Faultline.Plugins.Datadog;

/// <summary>
/// What a query of the datadog provider asks for: a metric query in Datadog's own query language
/// (<c>avg:system.cpu.user{env:prod} by {host}</c>), passed through as it is, or the state of one monitor:
/// <c>monitor:&lt;id&gt;</c>, or <c>monitor</c> with <c>monitorId</c> in the configuration.
/// </summary>
internal sealed record DatadogQuery(string? MetricQuery, long? MonitorId)
{
    private const string MonitorWord = "monitor";
    private const string MonitorPrefix = "monitor:";

    public bool IsMonitor => MonitorId is not null;

    /// <summary>Reads the query, checked against the configuration's <c>monitorId</c>; problems go to <paramref name="errors"/>.</summary>
    public static DatadogQuery? Parse(string? text, long? configuredMonitorId, bool configurationHasMonitorId, List<ParameterError> errors)
    {
        var query = text?.Trim() ?? "";
        if (query.Length == 0)
        {
            errors.Add(new ParameterError("query", "must not be empty: give a Datadog metric query or monitor:<id>."));
            return null;
        }

        if (query == MonitorWord)
        {
            if (!configurationHasMonitorId)
            {
                errors.Add(new ParameterError("query", "'monitor' needs monitorId in the configuration; or write monitor:<id>."));
            }

            return configuredMonitorId is { } id ? new DatadogQuery(null, id) : null;
        }

        if (query.StartsWith(MonitorPrefix, StringComparison.Ordinal))
        {
            if (!long.TryParse(query.AsSpan(MonitorPrefix.Length), NumberStyles.None, CultureInfo.InvariantCulture, out var id) || id < 1)
            {
                errors.Add(new ParameterError("query", $"'{query}' is not monitor:<id> with a monitor id of at least 1."));
                return null;
            }

            if (configuredMonitorId is { } configured && configured != id)
            {
                errors.Add(new ParameterError("$.monitorId", $"names monitor {configured}, but the query names monitor {id}."));
                return null;
            }

            return new DatadogQuery(null, id);
        }

        if (configurationHasMonitorId)
        {
            errors.Add(new ParameterError("$.monitorId", "is read only by the query 'monitor'; a metric query does not use it."));
            return null;
        }

        return new DatadogQuery(query, null);
    }

    public override string ToString() => MonitorId is { } id ? $"monitor:{id}" : MetricQuery!;
}
