using Faultline.Sdk.Injection;
using Faultline.Sdk.Targets;
using Faultline.Sdk.Validation;
using Microsoft.Extensions.Logging;

namespace Faultline.Engine.Plugins;

/// <summary>
/// The only way the engine calls an injector: every call has a deadline, and an inject that throws or hangs is
/// followed by a leftover scan of the target and a rollback of everything carrying its fault id, so a failed
/// inject cannot leave a fault behind.
/// </summary>
public sealed class GuardedInjector(IFaultInjector inner, string pluginId, PluginTimeouts timeouts, ILogger logger) : IInjectorChannel
{
    public string Name => inner.Name;

    public string PluginId => pluginId;

    public InjectorDescriptor Descriptor => inner.Descriptor;

    public Task<ValidationResult> ValidateAsync(FaultRequest request, CancellationToken cancellationToken) =>
        PluginCall.RunAsync(Describe("validate"), timeouts.Validate, token => inner.ValidateAsync(request, token), cancellationToken);

    public IReadOnlyList<string> Claims(FaultRequest request) => inner.Claims(request);

    public async Task<FaultHandle> InjectAsync(FaultRequest request, CancellationToken cancellationToken)
    {
        try
        {
            return await PluginCall.RunAsync(Describe("inject"), timeouts.Inject, token => inner.InjectAsync(request, token), cancellationToken);
        }
        catch (Exception exception) when (exception is PluginCallException or OperationCanceledException)
        {
            var cleanup = await RemoveLeftoversOfAsync(request, CancellationToken.None);
            throw new InjectFailedException(
                $"{exception.Message} {cleanup}",
                exception,
                cleanup);
        }
    }

    public Task<Verification> VerifyAsync(FaultHandle handle, CancellationToken cancellationToken) =>
        PluginCall.RunAsync(Describe("verify"), timeouts.Verify, token => inner.VerifyAsync(handle, token), cancellationToken);

    public Task<RollbackResult> RollbackAsync(FaultHandle handle, CancellationToken cancellationToken) =>
        PluginCall.RunAsync(Describe("rollback"), timeouts.Rollback, token => inner.RollbackAsync(handle, token), cancellationToken);

    public Task<IReadOnlyList<FaultHandle>> ListLeftoversAsync(Target target, CancellationToken cancellationToken) =>
        PluginCall.RunAsync(Describe("list leftovers"), timeouts.Leftovers, token => inner.ListLeftoversAsync(target, token), cancellationToken);

    /// <summary>What this host can do for the injector, or null when the injector does not say (contract 1.1 added the probe).</summary>
    public async Task<HostCapabilityReport?> ProbeHostAsync(CancellationToken cancellationToken) =>
        inner is IHostCapabilityProbe probe
            ? await PluginCall.RunAsync(Describe("probe host"), timeouts.HostProbe, token => probe.ProbeHostAsync(token), cancellationToken)
            : null;

    /// <summary>After a failed inject: roll back whatever the injector left on the target under this fault id.</summary>
    private async Task<LeftoverCleanup> RemoveLeftoversOfAsync(FaultRequest request, CancellationToken cancellationToken)
    {
        try
        {
            var leftovers = await ListLeftoversAsync(request.Target, cancellationToken);
            var removed = 0;
            foreach (var leftover in leftovers.Where(l => l.FaultId == request.FaultId))
            {
                var result = await RollbackAsync(leftover, cancellationToken);
                if (result.Status == RollbackStatus.Removed)
                {
                    removed++;
                }
            }

            logger.LogWarning("Inject {Injector} on {Target} failed; removed {Removed} leftover(s) of fault {FaultId}", Name, request.Target, removed, request.FaultId);
            return new LeftoverCleanup(true, removed, null);
        }
        catch (PluginCallException exception)
        {
            // The scan itself failed: the fault may still be there. The engine keeps the intent row and retries.
            logger.LogError(exception, "Inject {Injector} failed and its leftovers could not be removed for fault {FaultId}", Name, request.FaultId);
            return new LeftoverCleanup(false, 0, exception.Message);
        }
    }

    private string Describe(string call) => $"Plugin '{pluginId}' injector '{inner.Name}' {call}";
}
