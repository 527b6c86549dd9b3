using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Faultline.Engine.Plugins;

/// <summary>
/// Asks every injector that can probe its host what this host can do, once when the node starts, and keeps the
/// answers for the plugin listing and the log. Engines are still chosen per fault at validation: this is the
/// report, so an operator sees "no netem here, tbf/nftables/NFQUEUE instead" before any experiment runs.
/// </summary>
public sealed class HostCapabilityRegistry(PluginCatalog catalog, TimeProvider time, ILogger<HostCapabilityRegistry> logger)
{
    private readonly ConcurrentDictionary<string, HostCapabilityState> _states = new(StringComparer.Ordinal);

    /// <summary>The probe's outcome for an injector; null when it has not run yet or the injector does not probe.</summary>
    public HostCapabilityState? Of(string injectorName) => _states.GetValueOrDefault(injectorName);

    public async Task ProbeAsync(CancellationToken cancellationToken)
    {
        foreach (var injector in catalog.Injectors.OrderBy(i => i.Name, StringComparer.Ordinal))
        {
            HostCapabilityState state;
            try
            {
                var report = await injector.ProbeHostAsync(cancellationToken);
                if (report is null)
                {
                    continue;
                }

                state = new HostCapabilityState(time.GetUtcNow(), report, null);
                logger.LogInformation(
                    "Host capabilities for injector {Injector}: {Features}",
                    injector.Name,
                    string.Join(", ", report.Features.Select(f => $"{f.Key} {(f.Value ? "yes" : "no")}")));
            }
            catch (PluginCallException exception)
            {
                state = new HostCapabilityState(time.GetUtcNow(), null, exception.Message);
                logger.LogWarning("Host probe of injector {Injector} failed: {Error}", injector.Name, exception.Message);
            }

            _states[injector.Name] = state;
        }
    }
}
