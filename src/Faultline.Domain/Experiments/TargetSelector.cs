namespace Faultline.Domain.Experiments;

/// <summary>
/// Which targets a fault may hit: all conditions must hold. Kinds (<c>pod</c>, <c>process</c>), namespaces,
/// label equality, explicit target ids, and the discovery provider that lists candidates.
/// </summary>
public sealed record TargetSelector(
    IReadOnlyList<string> Kinds,
    IReadOnlyList<string> Namespaces,
    IReadOnlyDictionary<string, string> Labels,
    IReadOnlyList<string> Targets,
    string? Discovery)
{
    public static TargetSelector Empty { get; } = new([], [], new Dictionary<string, string>(), [], null);

    public bool IsEmpty => Kinds.Count == 0 && Namespaces.Count == 0 && Labels.Count == 0 && Targets.Count == 0;
}
