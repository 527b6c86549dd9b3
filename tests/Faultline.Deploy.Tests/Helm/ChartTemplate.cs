using System.Text.RegularExpressions;
using Faultline.Deploy.Tests.Yaml;
using YamlDotNet.RepresentationModel;

namespace Faultline.Deploy.Tests.Helm;

/// <summary>
/// A chart template read without helm: lines that are only a template action (if/with/end, an include or toYaml
/// under nindent) are dropped, actions inside a line become a placeholder scalar, and what remains must be YAML.
/// Both branches of an if/else stay, so templates are written without duplicate keys across branches.
/// </summary>
internal sealed partial class ChartTemplate(string path)
{
    public const string Placeholder = "TEMPLATED";

    public string Path { get; } = path;

    public string Name => System.IO.Path.GetFileName(Path);

    public string Text { get; } = File.ReadAllText(path);

    /// <summary>Every .Values path the template reads ("agent.token.key").</summary>
    public IReadOnlyList<string> ValuesPaths => [.. ValuesReference().Matches(Text).Select(match => match.Groups["path"].Value).Distinct()];

    /// <summary>Every named template it includes.</summary>
    public IReadOnlyList<string> Includes => [.. IncludeReference().Matches(Text).Select(match => match.Groups["name"].Value).Distinct()];

    /// <summary>Every named template it defines (_helpers.tpl).</summary>
    public IReadOnlyList<string> Defines => [.. Definition().Matches(Text).Select(match => match.Groups["name"].Value)];

    /// <summary>The template as YAML with its actions stripped, each document a mapping.</summary>
    public IReadOnlyList<YamlMappingNode> Skeleton()
    {
        var lines = Comment().Replace(Text, "").Split('\n')
            .Where(line => !WholeLineAction().IsMatch(line))
            .Select(line => InlineAction().Replace(line, Placeholder));
        return YamlNodes.Documents(string.Join('\n', lines), Path);
    }

    [GeneratedRegex(@"\.Values(?<path>(\.[A-Za-z_][A-Za-z0-9_]*)+)")]
    private static partial Regex ValuesReference();

    [GeneratedRegex("""\b(include|template)\s+"(?<name>[^"]+)"|\{\{-?\s*template\s+"(?<name>[^"]+)""")]
    private static partial Regex IncludeReference();

    [GeneratedRegex("""\{\{-?\s*define\s+"(?<name>[^"]+)"\s*-?\}\}""")]
    private static partial Regex Definition();

    [GeneratedRegex(@"\{\{-?\s*/\*.*?\*/\s*-?\}\}", RegexOptions.Singleline)]
    private static partial Regex Comment();

    [GeneratedRegex(@"^\s*\{\{-?[^{}]*-?\}\}\s*$")]
    private static partial Regex WholeLineAction();

    [GeneratedRegex(@"\{\{-?.*?-?\}\}")]
    private static partial Regex InlineAction();
}
