using System.Text.Json;
using Faultline.Sdk.Validation;

namespace Faultline.Plugins.Prometheus;

/// <summary>
/// The extra headers of every request (<c>headers</c>): a tenant for Mimir or Cortex (<c>X-Scope-OrgID</c>), a
/// gateway's key. Only headers the provider does not set itself: Authorization comes from <c>auth</c>, Host from
/// the URL, the body's headers from the query form.
/// </summary>
internal static class RequestHeaders
{
    public static IReadOnlyList<KeyValuePair<string, string>> Read(JsonElement value, List<ParameterError> errors)
    {
        const string path = "$.headers";
        if (!ConfigValue.Object(value, path, "of header names to string values", errors))
        {
            return [];
        }

        var headers = new List<KeyValuePair<string, string>>();

        // The real header collection decides what is a valid request header name.
        using var trial = new HttpRequestMessage();
        foreach (var header in value.EnumerateObject())
        {
            var headerPath = JsonPath.Property(path, header.Name);
            var problem = header.Value.ValueKind != JsonValueKind.String ? "must be a string."
                : header.Value.GetString()!.AsSpan().IndexOfAny('\r', '\n', '\0') >= 0 ? "must not contain line breaks or NUL."
                : string.Equals(header.Name, "Authorization", StringComparison.OrdinalIgnoreCase) ? "is set by auth (basic or bearer); configure it there, where it is kept out of messages."
                : string.Equals(header.Name, "Host", StringComparison.OrdinalIgnoreCase) ? "is taken from url."
                : !trial.Headers.TryAddWithoutValidation(header.Name, header.Value.GetString()) ? "is not a valid request header name, or describes a body (the provider sends the query form itself)."
                : null;
            if (problem is null)
            {
                headers.Add(new(header.Name, header.Value.GetString()!));
            }
            else
            {
                errors.Add(new ParameterError(headerPath, problem));
            }
        }

        return headers;
    }
}
