using YamlDotNet.RepresentationModel;

namespace Faultline.Deploy.Tests.Yaml;

/// <summary>Reading a parsed YAML tree by dotted paths of mapping keys, the way Kubernetes documents are described.</summary>
internal static class YamlNodes
{
    /// <summary>The node at <paramref name="path"/> ("spec.template.spec"), or null when any step is missing.</summary>
    public static YamlNode? At(this YamlNode? node, string path)
    {
        foreach (var key in path.Split('.'))
        {
            if (node is not YamlMappingNode mapping || !mapping.Children.TryGetValue(new YamlScalarNode(key), out node))
            {
                return null;
            }
        }

        return node;
    }

    /// <summary>The scalar text at <paramref name="path"/>, or null when it is missing or not a scalar.</summary>
    public static string? Text(this YamlNode? node, string path) => (node.At(path) as YamlScalarNode)?.Value;

    /// <summary>The items of the sequence at <paramref name="path"/>; none when it is missing.</summary>
    public static IReadOnlyList<YamlNode> Items(this YamlNode? node, string path) =>
        node.At(path) is YamlSequenceNode sequence ? [.. sequence.Children] : [];

    /// <summary>The scalar items of the sequence at <paramref name="path"/>.</summary>
    public static IReadOnlyList<string> Texts(this YamlNode? node, string path) =>
        [.. node.Items(path).OfType<YamlScalarNode>().Select(item => item.Value ?? "")];

    /// <summary>A mapping of scalars (labels, matchLabels) as a dictionary; empty when missing.</summary>
    public static IReadOnlyDictionary<string, string> Map(this YamlNode? node, string path) =>
        node.At(path) is YamlMappingNode mapping
            ? mapping.Children.ToDictionary(pair => ((YamlScalarNode)pair.Key).Value ?? "", pair => (pair.Value as YamlScalarNode)?.Value ?? "", StringComparer.Ordinal)
            : new Dictionary<string, string>(StringComparer.Ordinal);

    /// <summary>Every node of the tree (depth first), with the dotted path it sits at.</summary>
    public static IEnumerable<(string Path, YamlNode Node)> Walk(this YamlNode node, string path = "")
    {
        yield return (path, node);
        var children = node switch
        {
            YamlMappingNode mapping => mapping.Children.Select(pair => ($"{path}.{(pair.Key as YamlScalarNode)?.Value}", pair.Value)),
            YamlSequenceNode sequence => sequence.Children.Select((child, index) => ($"{path}[{index}]", child)),
            _ => [],
        };
        foreach (var (childPath, child) in children)
        {
            foreach (var descendant in child.Walk(childPath))
            {
                yield return descendant;
            }
        }
    }

    /// <summary>Parses every document of a YAML stream (Kubernetes files hold several, separated by ---).</summary>
    public static IReadOnlyList<YamlMappingNode> Documents(string text, string source)
    {
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(text));
        }
        catch (YamlDotNet.Core.YamlException exception)
        {
            throw new InvalidDataException($"{source}: not YAML at {exception.Start}: {exception.Message}", exception);
        }

        var documents = new List<YamlMappingNode>();
        foreach (var (document, index) in stream.Documents.Select((document, index) => (document, index)))
        {
            documents.Add(document.RootNode as YamlMappingNode
                ?? throw new InvalidDataException($"{source}: document {index} is not a mapping"));
        }

        return documents;
    }
}
