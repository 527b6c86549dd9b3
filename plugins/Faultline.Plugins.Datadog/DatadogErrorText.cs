using System.Text.Json;

namespace Faultline.Plugins.Datadog;

/// <summary>
/// The message of a Datadog error answer. Datadog's documented error body is <c>{"errors": ["..."]}</c>
/// (APIErrorResponse, e.g. https://docs.datadoghq.com/api/latest/metrics/query-timeseries-points/ responses
/// 400/403/429); anything else is quoted, shortened, so a proxy's HTML page does not flood the message.
/// </summary>
internal static class DatadogErrorText
{
    private const int MaxQuoted = 300;

    public static string From(string body)
    {
        ArgumentNullException.ThrowIfNull(body);
        try
        {
            using var document = JsonDocument.Parse(body);
            if (document.RootElement.ValueKind == JsonValueKind.Object &&
                document.RootElement.TryGetProperty("errors", out var errors) &&
                errors.ValueKind == JsonValueKind.Array)
            {
                var texts = errors.EnumerateArray().Select(e => e.ValueKind == JsonValueKind.String ? e.GetString()! : e.GetRawText()).ToList();
                return texts.Count == 0 ? "(no error text)" : string.Join("; ", texts);
            }
        }
        catch (JsonException)
        {
            // Not JSON (a proxy or load balancer answered): quoted below.
        }

        var trimmed = body.Trim();
        return trimmed.Length == 0 ? "(empty body)" : trimmed.Length <= MaxQuoted ? $"\"{trimmed}\"" : $"\"{trimmed[..MaxQuoted]}...\"";
    }
}
