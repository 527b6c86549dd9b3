using System.Text.Json;
using System.Text.Json.Nodes;
using Faultline.Domain.Validation;

namespace Faultline.Domain.Experiments;

/// <summary>
/// Reads typed values out of a JSON tree while collecting every error with its path, so one pass reports all
/// that is wrong with a document. Unknown fields are errors: a typo must not silently disable a guardrail.
/// </summary>
public sealed class NodeReader(ValidationErrors errors)
{
    public ValidationErrors Errors => errors;

    public JsonObject? Mapping(JsonNode? node, string path, bool required = true)
    {
        if (node is null)
        {
            if (required)
            {
                errors.Add(path, "is required.");
            }

            return null;
        }

        if (node is JsonObject obj)
        {
            return obj;
        }

        errors.Add(path, "must be an object.");
        return null;
    }

    public JsonArray? Array(JsonObject parent, string name, string path, bool required = false)
    {
        var node = parent[name];
        if (node is null)
        {
            if (required)
            {
                errors.Add(path, "is required.");
            }

            return null;
        }

        if (node is JsonArray array)
        {
            return array;
        }

        errors.Add(path, "must be a list.");
        return null;
    }

    public string? Text(JsonObject parent, string name, string path, bool required = false, int maxLength = 1000)
    {
        var node = parent[name];
        if (node is null)
        {
            if (required)
            {
                errors.Add(path, "is required.");
            }

            return null;
        }

        if (node is not JsonValue value || value.GetValueKind() != JsonValueKind.String)
        {
            errors.Add(path, "must be a string.");
            return null;
        }

        var text = value.GetValue<string>();
        if (required && string.IsNullOrWhiteSpace(text))
        {
            errors.Add(path, "must not be blank.");
            return null;
        }

        if (text.Length > maxLength)
        {
            errors.Add(path, $"must be at most {maxLength} characters.");
            return null;
        }

        return text;
    }

    public double? Number(JsonObject parent, string name, string path)
    {
        var node = parent[name];
        if (node is null)
        {
            return null;
        }

        // Numbers may be held as long (from YAML) or as JSON elements: read them through their JSON text.
        if (node is JsonValue value && value.GetValueKind() == JsonValueKind.Number &&
            double.TryParse(value.ToJsonString(), System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var number) &&
            double.IsFinite(number))
        {
            return number;
        }

        errors.Add(path, "must be a number.");
        return null;
    }

    public int? WholeNumber(JsonObject parent, string name, string path, int min, int max)
    {
        var number = Number(parent, name, path);
        if (number is null)
        {
            return null;
        }

        if (number != Math.Floor(number.Value) || number < min || number > max)
        {
            errors.Add(path, $"must be a whole number from {min} to {max}.");
            return null;
        }

        return (int)number.Value;
    }

    public TimeSpan? Duration(JsonObject parent, string name, string path, bool required, TimeSpan min, TimeSpan max)
    {
        var text = Text(parent, name, path, required, 64);
        if (text is null)
        {
            return null;
        }

        if (!Durations.TryParse(text, out var duration))
        {
            errors.Add(path, $"'{text}' is not a duration such as 300s, 200ms or 1m30s.");
            return null;
        }

        if (duration < min || duration > max)
        {
            errors.Add(path, $"must be between {Durations.Format(min)} and {Durations.Format(max)}.");
            return null;
        }

        return duration;
    }

    public TEnum? Enum<TEnum>(JsonObject parent, string name, string path, IReadOnlyDictionary<string, TEnum> values)
        where TEnum : struct
    {
        var text = Text(parent, name, path);
        if (text is null)
        {
            return null;
        }

        if (values.TryGetValue(text, out var value))
        {
            return value;
        }

        errors.Add(path, $"must be one of: {string.Join(", ", values.Keys)}.");
        return null;
    }

    public IReadOnlyList<string> StringList(JsonObject parent, string name, string path)
    {
        var array = Array(parent, name, path);
        if (array is null)
        {
            return [];
        }

        var list = new List<string>();
        for (var i = 0; i < array.Count; i++)
        {
            if (array[i] is JsonValue value && value.GetValueKind() == JsonValueKind.String && value.GetValue<string>() is { Length: > 0 } text)
            {
                list.Add(text);
            }
            else
            {
                errors.Add($"{path}[{i}]", "must be a non-empty string.");
            }
        }

        return list;
    }

    public IReadOnlyDictionary<string, string> StringMap(JsonObject parent, string name, string path)
    {
        var obj = Mapping(parent[name], path, required: false);
        var map = new Dictionary<string, string>(StringComparer.Ordinal);
        if (obj is null)
        {
            return map;
        }

        foreach (var (key, node) in obj)
        {
            if (node is JsonValue value && value.GetValueKind() == JsonValueKind.String)
            {
                map[key] = value.GetValue<string>();
            }
            else
            {
                errors.Add($"{path}.{key}", "must be a string.");
            }
        }

        return map;
    }

    /// <summary>Reports every field that is not among <paramref name="known"/>.</summary>
    public void OnlyKnown(JsonObject obj, string path, params string[] known)
    {
        foreach (var (key, _) in obj)
        {
            if (!known.Contains(key, StringComparer.Ordinal))
            {
                errors.Add($"{path}.{key}", $"is not a known field (expected one of: {string.Join(", ", known)}).");
            }
        }
    }
}
