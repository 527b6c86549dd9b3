using Faultline.Engine.Plugins;
using Faultline.Sdk.Injection;

namespace Faultline.Agent;

/// <summary>
/// Removes one held fault with nothing but what the agent knows locally: by its handle, or, when inject never
/// returned one, by the injector's leftover listing narrowed to the fault id. It answers with the evidence once
/// removal is proven (Removed or AlreadyAbsent) and throws otherwise.
/// </summary>
public sealed class FaultRemover(PluginCatalog catalog)
{
    public async Task<string> RemoveAsync(JournalEntry fault, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(fault);
        var injector = catalog.FindInjector(fault.Injector)
            ?? throw new InvalidOperationException($"No loaded plugin provides injector '{fault.Injector}'; fault {fault.FaultId} cannot be removed here.");
        if (fault.Handle is { } handle)
        {
            var result = await injector.RollbackAsync(handle, cancellationToken);
            return Describe(result);
        }

        var leftovers = (await injector.ListLeftoversAsync(fault.Target, cancellationToken)).Where(l => l.FaultId == fault.FaultId).ToList();
        if (leftovers.Count == 0)
        {
            return $"no leftover of fault {fault.FaultId} on {fault.Target}";
        }

        var evidence = new List<string>();
        foreach (var leftover in leftovers)
        {
            evidence.Add(Describe(await injector.RollbackAsync(leftover, cancellationToken)));
        }

        return string.Join("; ", evidence);
    }

    private static string Describe(RollbackResult result) =>
        $"{(result.Status == RollbackStatus.Removed ? "removed" : "already absent")}: {result.Evidence}";
}
