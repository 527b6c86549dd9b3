namespace Faultline.Sdk.Targets;

/// <summary>
/// Something a fault can be injected into: a host, a process, a pod, a network interface, a Redis node...
/// <see cref="Kind"/> and <see cref="Id"/> identify it; labels are what selectors match; attributes carry
/// what an injector needs to act (a pid, an interface name, a network namespace path).
/// </summary>
public sealed record Target(
    string Kind,
    string Id,
    IReadOnlyDictionary<string, string> Labels,
    IReadOnlyDictionary<string, string> Attributes)
{
    /// <summary>A target with no labels or attributes.</summary>
    public static Target Of(string kind, string id) => new(kind, id, new Dictionary<string, string>(), new Dictionary<string, string>());

    public string? Attribute(string name) => Attributes.TryGetValue(name, out var value) ? value : null;

    public override string ToString() => $"{Kind}/{Id}";
}
