using Faultline.Engine.Plugins;
using Faultline.Sdk.Injection;
using Microsoft.Extensions.Logging;

namespace Faultline.Engine.Agents;

/// <summary>
/// Finds the way to an injector for one organization: a channel that sends each call to the connected agent of
/// that organization which reported the call's target, or to this node's own plugin when no agent holds it.
/// Without an agent directory (a node that runs its plugins in-process only) it is the plugin catalog.
/// </summary>
public sealed class InjectorRouter(
    PluginCatalog catalog, PluginTimeouts timeouts, ILogger<InjectorRouter> logger, IAgentDirectory? directory = null, IAgentCommandBus? bus = null)
{
    public async Task<IInjectorChannel?> FindAsync(string name, Guid organizationId, CancellationToken cancellationToken)
    {
        var local = catalog.FindInjector(name);
        if (directory is null || bus is null)
        {
            return local;
        }

        var kinds = (await directory.ListTargetsAsync(organizationId, cancellationToken))
            .Where(target => target.Injectors.Contains(name, StringComparer.Ordinal))
            .Select(target => target.Target.Kind)
            .Concat(local?.Descriptor.TargetKinds ?? [])
            .Distinct(StringComparer.OrdinalIgnoreCase)
            .ToList();
        if (local is null && kinds.Count == 0)
        {
            return null;
        }

        // An injector only the agents have: its schema and conflicts live with them, the target kinds are what they report.
        var descriptor = local?.Descriptor is { } own
            ? own with { TargetKinds = kinds }
            : new InjectorDescriptor(name, $"{name}, on the organization's agents", "{}", kinds, HostRequirements.None, FaultComposition.ByClaims);
        return new RoutedInjector(name, descriptor, local, organizationId, directory, bus, timeouts, logger);
    }
}
