using System.Text.Json;
using System.Text.Json.Nodes;

namespace Faultline.Domain.Experiments.ChaosMesh;

/// <summary>
/// The injector parameters being built, recording for every value which source field it came from, so the
/// mapping cannot drift from what was actually written.
/// </summary>
internal sealed class ParameterWriter(string path, TranslationContext context)
{
    private readonly JsonObject _values = new();

    public string Path => path;

    public TranslationContext Context => context;

    public void Set(string name, JsonNode? value, string source)
    {
        _values[name] = value;
        context.Map(source, JsonPaths.Property(path, name));
    }

    /// <summary>Writes a list, mapping each source item to its place.</summary>
    public void SetList(string name, IReadOnlyList<ManifestObject.ListItem> items)
    {
        var target = JsonPaths.Property(path, name);
        var array = new JsonArray();
        for (var i = 0; i < items.Count; i++)
        {
            array.Add(items[i].Value);
            context.Map(items[i].Path, JsonPaths.Index(target, i));
        }

        _values[name] = array;
    }

    /// <summary>Writes a value whose mapping its producer has already recorded.</summary>
    public void Put(string name, JsonNode value) => _values[name] = value;

    public ParameterWriter Nested(string name)
    {
        var nested = new ParameterWriter(JsonPaths.Property(path, name), context);
        _values[name] = nested._values;
        return nested;
    }

    public JsonElement ToElement()
    {
        using var document = JsonDocument.Parse(_values.ToJsonString());
        return document.RootElement.Clone();
    }
}
