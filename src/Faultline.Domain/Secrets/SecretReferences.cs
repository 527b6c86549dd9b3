using System.Text.Json;
using System.Text.Json.Nodes;
using Faultline.Domain.Experiments;
using Faultline.Domain.Experiments.ChaosMesh;
using Faultline.Domain.Validation;

namespace Faultline.Domain.Secrets;

/// <summary>
/// Secret references in probe and guardrail configurations. A reference is an object with exactly one property,
/// <c>{"$secret": "name"}</c>, standing where a string value goes (a header, a token, a URL); the engine
/// replaces it with the secret's value of the experiment's team just before it calls the provider, so the
/// stored document, the run's spec and its events only ever hold the name.
/// </summary>
/// <remarks>
/// The <c>$</c> keeps the marker apart from any provider's own field names. References are refused in fault
/// parameters: those are recorded with each fault (for rollback by a later owner) and would be stored resolved.
/// </remarks>
public static class SecretReferences
{
    public const string Marker = "$secret";

    /// <summary>Every reference of the spec's steady-state probes and guardrails, with the JSON path of each.</summary>
    public static IReadOnlyList<SecretReference> Of(ExperimentSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var found = new List<SecretReference>();
        for (var i = 0; i < spec.SteadyState.Count; i++)
        {
            found.AddRange(Find(spec.SteadyState[i].Configuration, JsonPaths.Index("$.spec.steadyState", i) + ".config", null));
        }

        for (var i = 0; i < spec.Guardrails.Count; i++)
        {
            found.AddRange(Find(spec.Guardrails[i].Configuration, JsonPaths.Index("$.spec.guardrails", i) + ".config", null));
        }

        return found;
    }

    /// <summary>
    /// The references in <paramref name="configuration"/> (at <paramref name="path"/>); a malformed one (other
    /// properties beside the marker, a name that is not a slug) is reported to <paramref name="errors"/> at its path.
    /// </summary>
    public static IReadOnlyList<SecretReference> Find(JsonElement configuration, string path, ValidationErrors? errors)
    {
        var found = new List<SecretReference>();
        Walk(configuration, path, found, errors);
        return found;
    }

    /// <summary>A copy of <paramref name="configuration"/> with each reference replaced by its value; names without a value are left as references.</summary>
    public static JsonElement Substitute(JsonElement configuration, IReadOnlyDictionary<string, string> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        var node = JsonNode.Parse(configuration.GetRawText());
        var replaced = Replace(node, values);
        return JsonSerializer.SerializeToElement(replaced);
    }

    private static void Walk(JsonElement element, string path, List<SecretReference> found, ValidationErrors? errors)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object when element.TryGetProperty(Marker, out var name):
                if (element.EnumerateObject().Count() != 1 || name.ValueKind != JsonValueKind.String)
                {
                    errors?.Add(path, $"a secret reference is an object with exactly one property: {{\"{Marker}\": \"<secret name>\"}}.");
                }
                else if (!SecretNames.IsValid(name.GetString()))
                {
                    errors?.Add(JsonPaths.Property(path, Marker), $"names a secret, which {SecretNames.Rule}");
                }
                else
                {
                    found.Add(new SecretReference(path, name.GetString()!));
                }

                break;
            case JsonValueKind.Object:
                foreach (var property in element.EnumerateObject())
                {
                    Walk(property.Value, JsonPaths.Property(path, property.Name), found, errors);
                }

                break;
            case JsonValueKind.Array:
                var index = 0;
                foreach (var item in element.EnumerateArray())
                {
                    Walk(item, JsonPaths.Index(path, index++), found, errors);
                }

                break;
            default:
                break;
        }
    }

    private static JsonNode? Replace(JsonNode? node, IReadOnlyDictionary<string, string> values)
    {
        switch (node)
        {
            case JsonObject obj when obj.Count == 1 && obj[Marker] is JsonValue marker && marker.TryGetValue<string>(out var name):
                return values.TryGetValue(name, out var value) ? JsonValue.Create(value) : obj;
            case JsonObject obj:
                foreach (var key in obj.Select(pair => pair.Key).ToList())
                {
                    var child = obj[key];
                    var replaced = Replace(child, values);
                    if (!ReferenceEquals(child, replaced))
                    {
                        obj[key] = replaced;
                    }
                }

                return obj;
            case JsonArray array:
                for (var i = 0; i < array.Count; i++)
                {
                    var child = array[i];
                    var replaced = Replace(child, values);
                    if (!ReferenceEquals(child, replaced))
                    {
                        array[i] = replaced;
                    }
                }

                return array;
            default:
                return node;
        }
    }
}
