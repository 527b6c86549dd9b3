using System.Text.Json;
using Faultline.Sdk.Targets;

namespace Faultline.Sdk.Discovery;

/// <summary>Lists the targets it can see (pods, processes, interfaces), with kind, identity and labels.</summary>
public interface ITargetDiscovery
{
    string Name { get; }

    TargetDiscoveryDescriptor Descriptor { get; }

    ValueTask<IReadOnlyList<Target>> DiscoverAsync(JsonElement configuration, CancellationToken cancellationToken);
}
