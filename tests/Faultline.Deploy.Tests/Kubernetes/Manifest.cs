using Faultline.Deploy.Tests.Yaml;
using YamlDotNet.RepresentationModel;

namespace Faultline.Deploy.Tests.Kubernetes;

/// <summary>One Kubernetes object as committed: its file, its place in the file and its parsed tree.</summary>
internal sealed record Manifest(string File, int Index, YamlMappingNode Root)
{
    public string ApiVersion => Root.Text("apiVersion") ?? "";

    public string Kind => Root.Text("kind") ?? "";

    public string Name => Root.Text("metadata.name") ?? "";

    public string? Namespace => Root.Text("metadata.namespace");

    /// <summary>The pod template's spec of a workload (Deployment, DaemonSet); null for other kinds.</summary>
    public YamlNode? PodSpec => Root.At("spec.template.spec");

    public IReadOnlyList<YamlNode> Containers => [.. PodSpec.Items("containers"), .. PodSpec.Items("initContainers")];

    public override string ToString() => $"{Kind}/{Name} ({Path.GetFileName(File)}#{Index})";

    public static IReadOnlyList<Manifest> Load(string file) =>
        [.. YamlNodes.Documents(System.IO.File.ReadAllText(file), file).Select((root, index) => new Manifest(file, index, root))];

    public static IReadOnlyList<Manifest> LoadAll(IEnumerable<string> files) => [.. files.SelectMany(Load)];
}
