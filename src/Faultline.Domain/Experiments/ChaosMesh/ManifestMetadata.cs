using System.Text.RegularExpressions;

namespace Faultline.Domain.Experiments.ChaosMesh;

/// <summary>
/// A Chaos Mesh object's Kubernetes metadata as Faultline experiment metadata: the name, the labels, and the
/// namespace, which Faultline experiments do not have and so keep as a label.
/// </summary>
internal static partial class ManifestMetadata
{
    public const string NamespaceLabel = "chaos-mesh.org/namespace";

    /// <summary>A Faultline experiment name's limit; Kubernetes names may be longer and hold dots.</summary>
    private const int MaxNameLength = 63;

    /// <summary>What the API server writes on objects it returns (<c>kubectl get -o yaml</c>): state, not intent.</summary>
    private static readonly string[] ServerFields =
    [
        "uid", "resourceVersion", "generation", "creationTimestamp", "deletionTimestamp",
        "deletionGracePeriodSeconds", "managedFields", "selfLink", "finalizers", "ownerReferences",
    ];

    public static (string? Name, string? Namespace, IReadOnlyDictionary<string, string> Labels) Translate(ManifestObject root)
    {
        var labels = new Dictionary<string, string>(StringComparer.Ordinal);
        var metadata = root.Child("metadata", required: true, "is required: the experiment is named by metadata.name.");
        if (metadata is null)
        {
            return (null, null, labels);
        }

        var context = metadata.Context;
        var name = metadata.Text("name", required: true);
        if (name is not null && (name.Length > MaxNameLength || !NamePattern().IsMatch(name)))
        {
            context.Error(
                metadata.PathOf("name"),
                $"must be at most {MaxNameLength} lower-case letters, digits and dashes, starting with a letter or digit: a Faultline experiment name, stricter than a Kubernetes one.");
            name = null;
        }
        else if (name is not null)
        {
            context.Map(metadata.PathOf("name"), FaultlinePaths.Name);
        }

        metadata.Ignore("generateName", "ignored: the experiment is named by metadata.name.");

        foreach (var label in metadata.TextMap("labels") ?? [])
        {
            labels[label.Key] = label.Value;
            context.Map(label.Path, JsonPaths.Property(FaultlinePaths.Labels, label.Key));
        }

        var ns = metadata.Text("namespace");
        if (ns is not null)
        {
            if (labels.TryGetValue(NamespaceLabel, out var labelled) && labelled != ns)
            {
                context.Warn(JsonPaths.Property(metadata.PathOf("labels"), NamespaceLabel), "replaced by metadata.namespace.");
            }

            labels[NamespaceLabel] = ns;
            context.Map(metadata.PathOf("namespace"), JsonPaths.Property(FaultlinePaths.Labels, NamespaceLabel));
            context.Warn(
                metadata.PathOf("namespace"),
                $"Faultline experiments are not namespaced: kept as the label '{NamespaceLabel}', and used as Chaos Mesh does for selectors that name no namespace.");
        }

        metadata.Ignore("annotations", "ignored: Faultline experiments carry no annotations.");
        foreach (var field in ServerFields)
        {
            metadata.Ignore(field, "ignored: written by the Kubernetes API server, not part of the experiment.");
        }

        metadata.RejectUnknown("Kubernetes object metadata");
        return (name, ns, labels);
    }

    [GeneratedRegex("^[a-z0-9][a-z0-9-]*$")]
    private static partial Regex NamePattern();
}
