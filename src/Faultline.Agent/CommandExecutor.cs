using Faultline.Domain.Agents;
using Faultline.Engine.Plugins;
using Faultline.Sdk.Targets;
using Microsoft.Extensions.Logging;

namespace Faultline.Agent;

/// <summary>
/// Runs one command from the control plane through the guarded plugin host and answers with its result; it never
/// throws. An inject is journaled (durably) before the injector is called and held by the dead-man switch from
/// that moment; a rollback releases the fault only once removal is proven.
/// </summary>
public sealed class CommandExecutor(
    PluginCatalog catalog,
    AgentJournal journal,
    DeadManSwitch deadManSwitch,
    TargetLanes lanes,
    ReportedTargets reported,
    Func<TimeSpan> grace,
    TimeProvider time,
    ILogger logger)
{
    public async Task<CommandResult> ExecuteAsync(AgentCommand command, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(command);
        if (Refusal(command) is { } refusal)
        {
            logger.LogWarning("Refused {Kind} command {CommandId} ({Injector} on {Target}): {Reason}", command.Kind, command.Id, command.Injector, command.Target, refusal);
            return Failed(command, refusal);
        }

        var injector = catalog.FindInjector(command.Injector)!;
        try
        {
            return await lanes.RunAsync(command.Target, () => command.Kind switch
            {
                AgentCommandKind.Validate => ValidateAsync(command, injector, cancellationToken),
                AgentCommandKind.Inject => InjectAsync(command, injector, cancellationToken),
                AgentCommandKind.Verify => VerifyAsync(command, injector, cancellationToken),
                AgentCommandKind.Rollback => RollbackAsync(command, injector, cancellationToken),
                AgentCommandKind.ListLeftovers => ListLeftoversAsync(command, injector, cancellationToken),
                _ => Task.FromResult(Failed(command, $"Unknown command kind {command.Kind}.")),
            }, cancellationToken);
        }
#pragma warning disable CA1031 // Every failure, whatever its type (plugin, journal disk, cancellation), is the command's result.
        catch (Exception exception)
#pragma warning restore CA1031
        {
            logger.LogWarning("{Kind} command {CommandId} ({Injector} on {Target}) failed: {Error}", command.Kind, command.Id, command.Injector, command.Target, exception.Message);
            return Failed(command, exception.Message);
        }
    }

    /// <summary>Why a command must not run at all, or null. Every target the command would touch must be one this agent reported.</summary>
    private string? Refusal(AgentCommand command)
    {
        if (command.Target is null || !reported.Contains(command.Target))
        {
            return $"target {command.Target} was not reported by this agent.";
        }

        var touched = command.Request?.Target ?? command.Handle?.Target;
        if (touched is not null && (touched.Kind != command.Target.Kind || touched.Id != command.Target.Id))
        {
            return $"the command names target {command.Target} but would act on {touched}, which it may not.";
        }

        if (command.Handle is { } handle && handle.Injector != command.Injector)
        {
            return $"the handle belongs to injector '{handle.Injector}', not '{command.Injector}'.";
        }

        if (catalog.FindInjector(command.Injector) is not { } injector)
        {
            return $"no loaded plugin provides injector '{command.Injector}'.";
        }

        if (!injector.Descriptor.TargetKinds.Contains(command.Target.Kind, StringComparer.Ordinal))
        {
            return $"injector '{command.Injector}' does not act on {command.Target.Kind} targets.";
        }

        return command.Kind switch
        {
            AgentCommandKind.Validate or AgentCommandKind.Inject when command.Request is null => "the command carries no fault request.",
            AgentCommandKind.Verify or AgentCommandKind.Rollback when command.Handle is null => "the command carries no fault handle.",
            AgentCommandKind.Inject when !FaultIds.IsSafe(command.Request!.FaultId) => $"fault id '{command.Request.FaultId}' is not safe as a file name.",
            AgentCommandKind.Inject when command.Request!.ExpiresAt <= time.GetUtcNow() => $"the fault's hard expiry {command.Request.ExpiresAt:O} has already passed.",
            _ => null,
        };
    }

    private static async Task<CommandResult> ValidateAsync(AgentCommand command, GuardedInjector injector, CancellationToken cancellationToken)
    {
        var validation = await injector.ValidateAsync(command.Request!, cancellationToken);
        return Empty(command) with { Validation = validation.Errors, Claims = injector.Claims(command.Request!) };
    }

    private async Task<CommandResult> InjectAsync(AgentCommand command, GuardedInjector injector, CancellationToken cancellationToken)
    {
        var request = command.Request!;
        if (deadManSwitch.Find(request.FaultId) is { } held)
        {
            // The same inject again (its result was lost on the way): answer with what is already in effect.
            return held.Handle is { } existing && held.Injector == injector.Name && SameTarget(held.Target, request.Target)
                ? Empty(command) with { Handle = existing }
                : Failed(command, $"fault {request.FaultId} is already held by this agent and its inject has not returned a handle.");
        }

        // Write-ahead: from here on a crash leaves an entry the next start rolls back.
        var entry = new JournalEntry(request.FaultId, request.RunId, injector.Name, request.Target, null, request.ExpiresAt, GraceFromNow(request.ExpiresAt));
        journal.Write(entry);
        deadManSwitch.Hold(entry);
        try
        {
            var handle = await injector.InjectAsync(request, cancellationToken);
            var applied = entry with { Handle = handle, GraceUntil = GraceFromNow(request.ExpiresAt) };
            journal.Write(applied);
            deadManSwitch.Hold(applied);
            logger.LogInformation("Injected {Injector} fault {FaultId} of run {RunId} on {Target}; hard expiry {HardExpiry:O}", injector.Name, request.FaultId, request.RunId, request.Target, request.ExpiresAt);
            return Empty(command) with { Handle = handle };
        }
        catch (InjectFailedException exception) when (exception.Cleanup.Completed)
        {
            // The host already rolled back whatever the failed inject left: nothing is held any more.
            journal.Delete(request.FaultId);
            deadManSwitch.Release(request.FaultId);
            throw;
        }
    }

    private static async Task<CommandResult> VerifyAsync(AgentCommand command, GuardedInjector injector, CancellationToken cancellationToken) =>
        Empty(command) with { Verification = await injector.VerifyAsync(command.Handle!, cancellationToken) };

    private async Task<CommandResult> RollbackAsync(AgentCommand command, GuardedInjector injector, CancellationToken cancellationToken)
    {
        var handle = command.Handle!;
        var result = await injector.RollbackAsync(handle, cancellationToken);

        // Removed or AlreadyAbsent both prove the fault gone; a failed rollback threw and keeps the entry.
        if (FaultIds.IsSafe(handle.FaultId))
        {
            journal.Delete(handle.FaultId);
        }

        deadManSwitch.Release(handle.FaultId);
        logger.LogInformation("Rolled back {Injector} fault {FaultId} on {Target}: {Status}", injector.Name, handle.FaultId, handle.Target, result.Status);
        return Empty(command) with { Rollback = result };
    }

    private static async Task<CommandResult> ListLeftoversAsync(AgentCommand command, GuardedInjector injector, CancellationToken cancellationToken) =>
        Empty(command) with { Leftovers = await injector.ListLeftoversAsync(command.Target, cancellationToken) };

    private DateTimeOffset GraceFromNow(DateTimeOffset hardExpiry)
    {
        var until = time.GetUtcNow() + grace();
        return until < hardExpiry ? until : hardExpiry;
    }

    private static bool SameTarget(Target a, Target b) => a.Kind == b.Kind && a.Id == b.Id;

    private static CommandResult Empty(AgentCommand command) => new(command.Id, null, null, null, null, null, null, null);

    private static CommandResult Failed(AgentCommand command, string error) => Empty(command) with { Error = error };
}
