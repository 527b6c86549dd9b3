using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Faultline.Domain.Experiments.ChaosMesh;

/// <summary>
/// An object of the manifest being translated. Every property a translator asks for is recorded, so
/// <see cref="RejectUnknown"/> can report the ones nobody asked for instead of dropping them silently.
/// </summary>
/// <remarks>
/// JSON <c>null</c> counts as absent: it is what YAML gives for a key with no value (<c>duration:</c>).
/// Chaos Mesh writes many numbers as strings (<c>correlation: "100"</c>); a YAML author who leaves the quotes
/// out means the same number, so the numeric readers accept both. Durations never accept a bare number: 300
/// has no unit.
/// </remarks>
internal sealed class ManifestObject
{
    private readonly JsonObject _node;
    private readonly HashSet<string> _asked = new(StringComparer.Ordinal);

    private ManifestObject(JsonObject node, string path, TranslationContext context)
    {
        _node = node;
        Path = path;
        Context = context;
    }

    public string Path { get; }

    public TranslationContext Context { get; }

    /// <summary>The property names, for maps whose keys are data (namespaces in <c>selector.pods</c>).</summary>
    public IEnumerable<string> Names => _node.Select(property => property.Key);

    /// <summary>Wraps <paramref name="node"/>, or reports at <paramref name="path"/> that it is not an object.</summary>
    public static ManifestObject? Of(JsonNode node, string path, TranslationContext context)
    {
        if (node is JsonObject obj)
        {
            return new ManifestObject(obj, path, context);
        }

        context.Error(path, "must be an object.");
        return null;
    }

    public static ManifestObject Root(JsonObject manifest, TranslationContext context) => new(manifest, "$", context);

    public string PathOf(string name) => JsonPaths.Property(Path, name);

    /// <summary>The value of <paramref name="name"/>, or null when absent or null; either way the name is now known.</summary>
    public JsonNode? Take(string name)
    {
        _asked.Add(name);
        return _node.TryGetPropertyValue(name, out var value) ? value : null;
    }

    /// <summary>Whether <paramref name="name"/> has a value; marks it known, so only ask about fields you handle.</summary>
    public bool Has(string name) => Take(name) is not null;

    public JsonNode? Required(string name, string message = "is required.")
    {
        var value = Take(name);
        if (value is null)
        {
            Context.Error(PathOf(name), message);
        }

        return value;
    }

    /// <summary>A non-blank string, trimmed.</summary>
    public string? Text(string name, bool required = false, string requiredMessage = "is required.")
    {
        var node = required ? Required(name, requiredMessage) : Take(name);
        if (node is null)
        {
            return null;
        }

        if (node.GetValueKind() != JsonValueKind.String)
        {
            Context.Error(PathOf(name), "must be a string.");
            return null;
        }

        var text = node.GetValue<string>().Trim();
        if (text.Length == 0)
        {
            Context.Error(PathOf(name), "must not be blank.");
            return null;
        }

        return text;
    }

    public ManifestObject? Child(string name, bool required = false, string requiredMessage = "is required.")
    {
        var node = required ? Required(name, requiredMessage) : Take(name);
        return node is null ? null : Of(node, PathOf(name), Context);
    }

    /// <summary>A list of non-blank strings, each with its path; null when absent or malformed (already reported).</summary>
    public IReadOnlyList<ListItem>? TextList(string name)
    {
        var node = Take(name);
        if (node is null)
        {
            return null;
        }

        var path = PathOf(name);
        if (node is not JsonArray array)
        {
            Context.Error(path, "must be a list of strings.");
            return null;
        }

        var items = new List<ListItem>(array.Count);
        var valid = true;
        for (var i = 0; i < array.Count; i++)
        {
            var itemPath = JsonPaths.Index(path, i);
            if (array[i] is not { } element || element.GetValueKind() != JsonValueKind.String || element.GetValue<string>().Trim().Length == 0)
            {
                Context.Error(itemPath, "must be a non-blank string.");
                valid = false;
                continue;
            }

            items.Add(new ListItem(element.GetValue<string>().Trim(), itemPath));
        }

        return valid ? items : null;
    }

    /// <summary>A map of string to string (labels, selectors), each entry with its path.</summary>
    public IReadOnlyList<MapEntry>? TextMap(string name)
    {
        var node = Take(name);
        if (node is null)
        {
            return null;
        }

        var path = PathOf(name);
        if (node is not JsonObject obj)
        {
            Context.Error(path, "must be a map of strings.");
            return null;
        }

        var entries = new List<MapEntry>(obj.Count);
        var valid = true;
        foreach (var (key, value) in obj)
        {
            var entryPath = JsonPaths.Property(path, key);
            if (key.Trim().Length == 0)
            {
                Context.Error(entryPath, "keys must not be blank.");
                valid = false;
            }
            else if (value is null || value.GetValueKind() != JsonValueKind.String)
            {
                Context.Error(entryPath, "must be a string.");
                valid = false;
            }
            else
            {
                entries.Add(new MapEntry(key, value.GetValue<string>(), entryPath));
            }
        }

        return valid ? entries : null;
    }

    /// <summary>A number, as a JSON number or a numeric string, from <paramref name="min"/> to <paramref name="max"/>.</summary>
    public double? Number(string name, double min, double max, bool required = false)
    {
        var node = required ? Required(name) : Take(name);
        if (node is null)
        {
            return null;
        }

        if (NumberText(node) is { } text
            && double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value)
            && double.IsFinite(value)
            && value >= min
            && value <= max)
        {
            return value;
        }

        Context.Error(PathOf(name), string.Create(CultureInfo.InvariantCulture, $"must be a number from {min} to {max} (Chaos Mesh writes it as a string, e.g. \"{max}\")."));
        return null;
    }

    /// <summary>A whole number, as a JSON number or a numeric string, from <paramref name="min"/> to <paramref name="max"/>.</summary>
    public long? WholeNumber(string name, long min, long max, bool required = false, string? expectation = null)
    {
        var node = required ? Required(name) : Take(name);
        if (node is null)
        {
            return null;
        }

        if (NumberText(node) is { } text
            && decimal.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value)
            && decimal.Truncate(value) == value
            && value >= min
            && value <= max)
        {
            return (long)value;
        }

        Context.Error(PathOf(name), expectation ?? string.Create(CultureInfo.InvariantCulture, $"must be a whole number from {min} to {max}."));
        return null;
    }

    /// <summary>A duration string such as <c>300s</c> or <c>1m30s</c>, kept as written and parsed.</summary>
    public DurationText? Duration(string name, bool required = false, string requiredMessage = "is required.", bool allowZero = false)
    {
        var node = required ? Required(name, requiredMessage) : Take(name);
        if (node is null)
        {
            return null;
        }

        var path = PathOf(name);
        if (node.GetValueKind() != JsonValueKind.String)
        {
            Context.Error(path, "must be a duration string such as \"300s\" or \"1m30s\": a bare number has no unit.");
            return null;
        }

        var text = node.GetValue<string>().Trim();
        if (!Durations.TryParse(text, out var value))
        {
            Context.Error(path, "must be a duration such as \"300s\", \"200ms\" or \"1m30s\" (units ns, us, ms, s, m, h).");
            return null;
        }

        if (value == TimeSpan.Zero && !allowZero)
        {
            Context.Error(path, "must be longer than zero.");
            return null;
        }

        return new DurationText(text, value, path);
    }

    /// <summary>Accepts <paramref name="name"/> without translating it, with a warning that says why.</summary>
    public void Ignore(string name, string reason)
    {
        if (Has(name))
        {
            Context.Warn(PathOf(name), reason);
        }
    }

    /// <summary>Refuses <paramref name="name"/> when present: a known field Faultline cannot honour.</summary>
    public void Refuse(string name, string reason)
    {
        if (Has(name))
        {
            Context.Error(PathOf(name), reason);
        }
    }

    /// <summary>Reports every property no translator asked for; a near miss in letter case gets a hint.</summary>
    public void RejectUnknown(string what)
    {
        foreach (var (name, _) in _node)
        {
            if (_asked.Contains(name))
            {
                continue;
            }

            var hint = _asked.FirstOrDefault(known => string.Equals(known, name, StringComparison.OrdinalIgnoreCase));
            Context.Error(
                PathOf(name),
                hint is null ? $"is not a field of {what}." : $"is not a field of {what}; did you mean '{hint}'?");
        }
    }

    private static string? NumberText(JsonNode node) => node.GetValueKind() switch
    {
        JsonValueKind.Number => node.ToJsonString(),
        JsonValueKind.String => node.GetValue<string>().Trim(),
        _ => null,
    };

    /// <summary>A string of a list, with its path.</summary>
    public sealed record ListItem(string Value, string Path);

    /// <summary>A key and value of a string map, with its path.</summary>
    public sealed record MapEntry(string Key, string Value, string Path);

    /// <summary>A duration as written (kept for parameters) and as parsed.</summary>
    public sealed record DurationText(string Text, TimeSpan Value, string Path);
}
