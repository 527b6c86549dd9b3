namespace Faultline.Domain.Policies;

/// <summary>
/// A resolved target as the policy sees it. The domain does not depend on the plugin SDK's target type, so the
/// runner maps its targets to this: kind and id identify it, labels carry the service and environment, and the
/// namespace is set for namespaced kinds (pods) and <c>null</c> for the rest (hosts, processes).
/// </summary>
public sealed record PlannedTarget(string Kind, string Id, IReadOnlyDictionary<string, string> Labels, string? Namespace = null)
{
    /// <summary>Identity across runs: two runs faulting the same pod fault one pod, not two.</summary>
    public string Key => $"{Kind}/{Id}";

    public static PlannedTarget Of(string kind, string id, params (string Key, string Value)[] labels) =>
        new(kind, id, labels.ToDictionary(label => label.Key, label => label.Value, StringComparer.Ordinal));
}
