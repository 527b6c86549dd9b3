using System.Text.Json;
using Faultline.Plugins.Network.Targets;
using Faultline.Sdk.Discovery;
using Faultline.Sdk.Targets;

namespace Faultline.Plugins.Network.Discovery;

/// <summary>
/// Targets listed by hand in a JSON file on the host (the agent's static inventory): each entry names a target
/// (kind, name, Kubernetes-style namespace, labels) and where its traffic lives (a network namespace and an
/// interface), so label selectors such as Chaos Mesh's <c>app: payment-service</c> find real interfaces.
/// The file is read on every discovery, so edits apply without a restart.
/// </summary>
/// <remarks>
/// <code>
/// [ { "name": "payment-1", "kind": "pod", "namespace": "payment-prod", "labels": { "app": "payment-service" },
///     "netns": "payment-1", "interface": "eth0" } ]
/// </code>
/// </remarks>
public sealed class StaticInventoryDiscovery(Func<string?> inventoryPath) : ITargetDiscovery
{
    public const string DiscoveryName = "static-inventory";

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { UnmappedMemberHandling = System.Text.Json.Serialization.JsonUnmappedMemberHandling.Disallow };

    public string Name => DiscoveryName;

    public TargetDiscoveryDescriptor Descriptor { get; } = new(
        DiscoveryName,
        "Targets from a JSON inventory file on the host (setting 'inventory' or FAULTLINE_NETWORK_INVENTORY): name, kind, namespace, labels, netns, interface.",
        [TargetKinds.Pod, TargetKinds.Host, TargetKinds.Container, TargetKinds.NetworkInterface],
        """{ "$schema": "https://json-schema.org/draft/2020-12/schema", "type": "object", "additionalProperties": false }""");

    public async ValueTask<IReadOnlyList<Target>> DiscoverAsync(JsonElement configuration, CancellationToken cancellationToken)
    {
        var path = inventoryPath();
        if (string.IsNullOrWhiteSpace(path))
        {
            return [];
        }

        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"The static inventory {path} does not exist.", path);
        }

        await using var stream = File.OpenRead(path);
        var entries = await JsonSerializer.DeserializeAsync<List<InventoryEntry>>(stream, Json, cancellationToken)
            ?? throw new JsonException($"The static inventory {path} is empty.");
        return [.. entries.Select(ToTarget)];
    }

    private static Target ToTarget(InventoryEntry entry)
    {
        var attributes = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            [NetworkTarget.NamespaceAttribute] = entry.Netns,
            [NetworkTarget.InterfaceAttribute] = entry.Interface,
        };
        if (entry.Namespace is { } ns)
        {
            attributes["namespace"] = ns;
        }

        return new Target(entry.Kind ?? TargetKinds.Pod, entry.Name, entry.Labels ?? new Dictionary<string, string>(StringComparer.Ordinal), attributes);
    }

    private sealed record InventoryEntry(string Name, string Netns, string Interface, string? Kind = null, string? Namespace = null, Dictionary<string, string>? Labels = null);
}
