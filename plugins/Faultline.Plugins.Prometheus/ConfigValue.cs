using Faultline.Sdk.Validation;
using System.Text.Json;

namespace Faultline.Plugins.Prometheus;

/// <summary>
/// Reads one typed value of the configuration, or records why it cannot at the value's JSON path. Callers go on
/// after an error, so that every problem of a configuration is reported at once.
/// </summary>
internal static class ConfigValue
{
    public static string? NonEmptyString(JsonElement value, string path, List<ParameterError> errors)
    {
        if (value.ValueKind == JsonValueKind.String && !string.IsNullOrWhiteSpace(value.GetString()))
        {
            return value.GetString();
        }

        errors.Add(new ParameterError(path, "must be a non-empty string."));
        return null;
    }

    public static bool? Boolean(JsonElement value, string path, List<ParameterError> errors)
    {
        if (value.ValueKind is JsonValueKind.True or JsonValueKind.False)
        {
            return value.GetBoolean();
        }

        errors.Add(new ParameterError(path, "must be true or false."));
        return null;
    }

    /// <summary>A duration in Faultline's grammar (<see cref="DurationText"/>), more than zero and at most <paramref name="maximum"/>.</summary>
    public static TimeSpan? Duration(JsonElement value, string path, TimeSpan maximum, string maximumText, List<ParameterError> errors)
    {
        if (value.ValueKind != JsonValueKind.String || !DurationText.TryParse(value.GetString(), out var duration))
        {
            errors.Add(new ParameterError(path, "must be a duration such as \"500ms\" or \"5s\" (units ns, us, ms, s, m, h)."));
            return null;
        }

        if (duration <= TimeSpan.Zero || duration > maximum)
        {
            errors.Add(new ParameterError(path, $"must be more than 0 and at most {maximumText}."));
            return null;
        }

        return duration;
    }

    /// <summary>An object, else an error naming what it should hold.</summary>
    public static bool Object(JsonElement value, string path, string what, List<ParameterError> errors)
    {
        if (value.ValueKind == JsonValueKind.Object)
        {
            return true;
        }

        errors.Add(new ParameterError(path, $"must be an object {what}."));
        return false;
    }
}
