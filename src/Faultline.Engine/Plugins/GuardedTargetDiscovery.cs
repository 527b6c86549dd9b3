using System.Text.Json;
using Faultline.Sdk.Discovery;
using Faultline.Sdk.Targets;

namespace Faultline.Engine.Plugins;

/// <summary>Target discovery with a deadline.</summary>
public sealed class GuardedTargetDiscovery(ITargetDiscovery inner, string pluginId, PluginTimeouts timeouts)
{
    public string Name => inner.Name;

    public string PluginId => pluginId;

    public TargetDiscoveryDescriptor Descriptor => inner.Descriptor;

    public Task<IReadOnlyList<Target>> DiscoverAsync(JsonElement configuration, CancellationToken cancellationToken) =>
        PluginCall.RunAsync($"Plugin '{pluginId}' discovery '{Name}'", timeouts.Query, token => inner.DiscoverAsync(configuration, token), cancellationToken);
}
