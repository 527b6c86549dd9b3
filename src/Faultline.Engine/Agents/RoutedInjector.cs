using System.Collections.Concurrent;
using Faultline.Domain.Agents;
using Faultline.Engine.Plugins;
using Faultline.Sdk.Injection;
using Faultline.Sdk.Targets;
using Faultline.Sdk.Validation;
using Microsoft.Extensions.Logging;

namespace Faultline.Engine.Agents;

/// <summary>
/// One injector for one organization, reached per target: calls on a target an agent reported go to that agent as
/// commands (with the same deadlines as in-process calls), calls on any other target go to this node's plugin.
/// A remote inject that fails or goes unanswered is followed by a leftover cleanup on the agent; when even that
/// cannot reach it, the agent's own dead-man switch removes the fault once its grace passes unrenewed.
/// </summary>
public sealed class RoutedInjector(
    string name,
    InjectorDescriptor descriptor,
    GuardedInjector? local,
    Guid organizationId,
    IAgentDirectory directory,
    IAgentCommandBus bus,
    PluginTimeouts timeouts,
    ILogger logger) : IInjectorChannel
{
    // Claims come back with validation (a round trip Claims cannot make); planning validates before it claims.
    private readonly ConcurrentDictionary<string, IReadOnlyList<string>> _claims = new(StringComparer.Ordinal);

    private readonly ConcurrentDictionary<string, AgentTarget?> _routes = new(StringComparer.Ordinal);

    public string Name => name;

    public InjectorDescriptor Descriptor => descriptor;

    public async Task<ValidationResult> ValidateAsync(FaultRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (await AgentOfAsync(request.Target, cancellationToken) is not { } agent)
        {
            return await LocalOrMissing(request.Target).ValidateAsync(request, cancellationToken);
        }

        var reported = request with { Target = agent.Target };
        var result = await SendAsync(agent, request.RunId, new AgentCommand(Guid.NewGuid(), AgentCommandKind.Validate, name, agent.Target, reported, null), timeouts.Validate, "validate", cancellationToken);
        if (result.Claims is { } claims)
        {
            _claims[ClaimKey(request)] = claims;
        }

        return result.Validation is { Count: > 0 } errors ? new ValidationResult(errors) : ValidationResult.Valid;
    }

    public IReadOnlyList<string> Claims(FaultRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        return _claims.TryGetValue(ClaimKey(request), out var claims) ? claims
            : local is not null ? local.Claims(request)
            : [$"{name}:{request.Target}"];
    }

    public async Task<FaultHandle> InjectAsync(FaultRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        AgentTarget? route;
        try
        {
            route = await AgentOfAsync(request.Target, cancellationToken);
        }
        catch (PluginCallException unknown)
        {
            // Nothing was sent anywhere: the inject failed before it began.
            throw new InjectFailedException(unknown.Message, unknown, new LeftoverCleanup(true, 0, null));
        }

        if (route is not { } agent)
        {
            return await LocalOrMissing(request.Target).InjectAsync(request, cancellationToken);
        }

        try
        {
            // The agent's own description of the target (its namespace path, its pid...) rather than what the
            // experiment wrote: the agent acts on what it found, and refuses what it did not report.
            var reported = request with { Target = agent.Target };
            var result = await SendAsync(agent, request.RunId, new AgentCommand(Guid.NewGuid(), AgentCommandKind.Inject, name, agent.Target, reported, null), timeouts.Inject, "inject", cancellationToken);
            return result.Handle ?? throw new PluginCallException($"Agent {agent.AgentName}: {name} inject on {request.Target} returned no handle.");
        }
        catch (Exception exception) when (exception is PluginCallException or OperationCanceledException)
        {
            var cleanup = await RemoveLeftoversOfAsync(agent, request);
            throw new InjectFailedException($"{exception.Message} {cleanup}", exception, cleanup);
        }
    }

    public async Task<Verification> VerifyAsync(FaultHandle handle, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(handle);
        if (await AgentOfAsync(handle.Target, cancellationToken) is not { } agent)
        {
            return await LocalOrMissing(handle.Target).VerifyAsync(handle, cancellationToken);
        }

        var result = await SendAsync(agent, null, new AgentCommand(Guid.NewGuid(), AgentCommandKind.Verify, name, handle.Target, null, handle), timeouts.Verify, "verify", cancellationToken);
        return result.Verification ?? throw new PluginCallException($"Agent {agent.AgentName}: {name} verify on {handle.Target} returned no verification.");
    }

    public async Task<RollbackResult> RollbackAsync(FaultHandle handle, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(handle);
        if (await AgentOfAsync(handle.Target, cancellationToken) is not { } agent)
        {
            return await LocalOrMissing(handle.Target).RollbackAsync(handle, cancellationToken);
        }

        var result = await SendAsync(agent, null, new AgentCommand(Guid.NewGuid(), AgentCommandKind.Rollback, name, handle.Target, null, handle), timeouts.Rollback, "rollback", cancellationToken);
        return result.Rollback ?? throw new PluginCallException($"Agent {agent.AgentName}: {name} rollback on {handle.Target} returned no result.");
    }

    public async Task<IReadOnlyList<FaultHandle>> ListLeftoversAsync(Target target, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(target);
        if (await AgentOfAsync(target, cancellationToken) is not { } agent)
        {
            return await LocalOrMissing(target).ListLeftoversAsync(target, cancellationToken);
        }

        var result = await SendAsync(agent, null, new AgentCommand(Guid.NewGuid(), AgentCommandKind.ListLeftovers, name, target, null, null), timeouts.Leftovers, "list leftovers", cancellationToken);
        return result.Leftovers ?? [];
    }

    // The route of each target this channel has used: when the directory (the database) cannot answer, the route
    // already taken still holds, so a fault applied on this node is removed without the database (rollback never
    // waits on it). A target never seen, with the directory down, is an error, never a guess.
    private async Task<AgentTarget?> AgentOfAsync(Target target, CancellationToken cancellationToken)
    {
        var key = target.ToString();
        try
        {
            var agent = await directory.FindAsync(organizationId, target.Kind, target.Id, cancellationToken);
            var route = agent is not null && agent.Injectors.Contains(name, StringComparer.Ordinal) ? agent : null;
            _routes[key] = route;
            return route;
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            if (_routes.TryGetValue(key, out var known))
            {
                logger.LogWarning("The agent directory cannot answer for {Target} ({Error}); keeping the route already taken: {Route}", key, exception.Message, known?.AgentName ?? "this node");
                return known;
            }

            throw new PluginCallException($"Cannot tell whether an agent holds {target}: the agent directory failed: {exception.Message}", exception);
        }
    }

    private GuardedInjector LocalOrMissing(Target target) =>
        local ?? throw new PluginCallException(
            $"No connected agent of this organization reports {target} with injector {name}, and {name} is not loaded on this node.");

    private async Task<CommandResult> SendAsync(AgentTarget agent, Guid? runId, AgentCommand command, TimeSpan timeout, string call, CancellationToken cancellationToken)
    {
        if (!agent.Connected)
        {
            throw new PluginCallException($"Agent {agent.AgentName}, which holds {command.Target}, is not connected (no poll within its grace): {name} {call} was not sent.") { TimedOut = true };
        }

        CommandResult result;
        try
        {
            result = await bus.SendAsync(organizationId, agent.AgentId, runId, command, timeout, cancellationToken);
        }
        catch (AgentUnavailableException exception)
        {
            throw new PluginCallException($"Agent {agent.AgentName}: {name} {call} on {command.Target} got no answer within {timeout.TotalSeconds:0.###} s: {exception.Message}", exception) { TimedOut = true };
        }

        return result.Error is { } error
            ? throw new PluginCallException($"Agent {agent.AgentName}: {name} {call} on {command.Target} failed: {error}")
            : result;
    }

    private async Task<LeftoverCleanup> RemoveLeftoversOfAsync(AgentTarget agent, FaultRequest request)
    {
        try
        {
            var removed = 0;
            foreach (var leftover in (await ListLeftoversAsync(request.Target, CancellationToken.None)).Where(l => l.FaultId == request.FaultId))
            {
                if ((await RollbackAsync(leftover, CancellationToken.None)).Status == RollbackStatus.Removed)
                {
                    removed++;
                }
            }

            return new LeftoverCleanup(true, removed, null);
        }
        catch (PluginCallException exception)
        {
            logger.LogError(exception, "Inject {Injector} on agent {Agent} failed and its leftovers could not be removed for fault {FaultId}", name, agent.AgentName, request.FaultId);
            return new LeftoverCleanup(false, 0, $"{exception.Message}; the agent removes the fault itself when its grace passes unrenewed");
        }
    }

    private static string ClaimKey(FaultRequest request) => $"{request.Target}\n{request.Parameters.GetRawText()}";
}
