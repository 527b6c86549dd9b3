using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Faultline.Domain.Validation;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Faultline.Domain.Experiments;

/// <summary>
/// Reads an experiment document, YAML or JSON, into one JSON tree, so one reader and one JSON Schema serve
/// both. YAML's implicit typing follows YAML 1.2's core schema: unquoted true/false/null and numbers are
/// typed, anything quoted stays a string. Anchors and aliases are refused (a billion-laughs bomb is not a spec).
/// </summary>
public static class SpecDocument
{
    public const int MaxLength = 1024 * 1024;

    public static JsonObject? Parse(string text, ValidationErrors errors)
    {
        if (text.Length > MaxLength)
        {
            errors.Add("$", $"the document is larger than {MaxLength} characters.");
            return null;
        }

        var trimmed = text.TrimStart();
        JsonNode? root;
        try
        {
            root = trimmed.StartsWith('{') ? JsonNode.Parse(text, documentOptions: new JsonDocumentOptions { MaxDepth = 64, AllowDuplicateProperties = false }) : FromYaml(text);
        }
        catch (JsonException exception)
        {
            errors.Add(exception.Path ?? "$", $"is not valid JSON: {exception.Message.Split(" Path:")[0]}");
            return null;
        }
        catch (YamlException exception)
        {
            errors.Add("$", $"is not valid YAML (line {exception.Start.Line}, column {exception.Start.Column}): {exception.InnerException?.Message ?? exception.Message}");
            return null;
        }

        if (root is not JsonObject document)
        {
            errors.Add("$", "must be a mapping (an object) with apiVersion, kind, metadata and spec.");
            return null;
        }

        return document;
    }

    private static JsonNode? FromYaml(string text)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(text));
        if (stream.Documents.Count != 1)
        {
            throw new YamlException(stream.Documents.Count == 0 ? "the document is empty." : "one document per request; found several ('---').");
        }

        return Convert(stream.Documents[0].RootNode, depth: 0);
    }

    private static JsonNode? Convert(YamlNode node, int depth)
    {
        if (depth > 64)
        {
            throw new YamlException(node.Start, node.End, "nesting deeper than 64 levels.");
        }

        if (!node.Anchor.IsEmpty)
        {
            throw new YamlException(node.Start, node.End, "anchors and aliases are not supported.");
        }

        switch (node)
        {
            case YamlMappingNode mapping:
                var obj = new JsonObject();
                foreach (var (key, value) in mapping.Children)
                {
                    if (key is not YamlScalarNode { Value: { } name })
                    {
                        throw new YamlException(key.Start, key.End, "mapping keys must be plain strings.");
                    }

                    if (obj.ContainsKey(name))
                    {
                        throw new YamlException(key.Start, key.End, $"duplicate key '{name}'.");
                    }

                    obj[name] = Convert(value, depth + 1);
                }

                return obj;
            case YamlSequenceNode sequence:
                var array = new JsonArray();
                foreach (var item in sequence.Children)
                {
                    array.Add(Convert(item, depth + 1));
                }

                return array;
            case YamlScalarNode scalar:
                return Scalar(scalar);
            default:
                throw new YamlException(node.Start, node.End, "unsupported YAML node.");
        }
    }

    private static JsonValue? Scalar(YamlScalarNode scalar)
    {
        var value = scalar.Value ?? "";
        if (scalar.Style is ScalarStyle.SingleQuoted or ScalarStyle.DoubleQuoted or ScalarStyle.Literal or ScalarStyle.Folded)
        {
            return JsonValue.Create(value);
        }

        switch (value)
        {
            case "" or "~" or "null" or "Null" or "NULL":
                return null;
            case "true" or "True" or "TRUE":
                return JsonValue.Create(true);
            case "false" or "False" or "FALSE":
                return JsonValue.Create(false);
            default:
                break;
        }

        if (long.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var integer))
        {
            return JsonValue.Create(integer);
        }

        if (double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var real) && !double.IsInfinity(real) && value.Any(char.IsAsciiDigit))
        {
            return JsonValue.Create(real);
        }

        return JsonValue.Create(value);
    }
}
