using System.Text.Json;
using Faultline.Domain.Agents;
using Faultline.Storage.Agents;
using Faultline.Storage.Common;
using Microsoft.Extensions.Logging;

namespace Faultline.Engine.Agents;

/// <summary>
/// Sends commands through the agent_commands table: queue and NOTIFY, then wait for the result on the results
/// channel (re-reading the row on a timer as well, so a lost notification only delays). A command is queued only
/// for a target its agent reported; anything else is refused before it is stored, and the attempt is audited.
/// </summary>
public sealed partial class PostgresAgentCommandBus(
    AgentStore agents, AgentCommandStore commands, AgentSignals signals, AgentOptions options, ILogger<PostgresAgentCommandBus> logger) : IAgentCommandBus
{
    public async Task<CommandResult> SendAsync(
        Guid organizationId, Guid agentId, Guid? runId, AgentCommand command, TimeSpan timeout, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(command);
        var agent = await agents.GetAsync(organizationId, agentId, cancellationToken);
        if (agent is null || !AgentTargets.Reports(agent, command.Target))
        {
            var why = agent is null
                ? $"Agent {agentId} is not an agent of organization {organizationId}."
                : $"Agent {agent.Name} did not report target {command.Target}; a command is only ever sent for a target its agent reported.";
            await commands.RecordRefusalAsync(
                organizationId, AuditContext.System("agent-command-bus"), agentId,
                new { commandId = command.Id, kind = command.Kind.ToString(), injector = command.Injector, target = command.Target.ToString(), runId, reason = why },
                CancellationToken.None);
            LogRefused(logger, command.Id, why);
            throw new ArgumentException(why, nameof(command));
        }

        using var registration = signals.Results.Register(command.Id.ToString());
        var faultId = command.Request?.FaultId ?? command.Handle?.FaultId;
        await commands.QueueAsync(
            organizationId, agentId, command.Id, runId, faultId, JsonNamingPolicy.KebabCaseLower.ConvertName(command.Kind.ToString()),
            JsonSerializer.Serialize(command, AgentJson.Options), cancellationToken);

        var deadline = DateTimeOffset.UtcNow + timeout;
        try
        {
            await signals.Results.WhenListeningAsync(Shorter(timeout, options.RecheckInterval), cancellationToken);
            while (true)
            {
                if (await ResultOfAsync(command.Id, cancellationToken) is { } result)
                {
                    return result;
                }

                var left = deadline - DateTimeOffset.UtcNow;
                if (left <= TimeSpan.Zero)
                {
                    break;
                }

                await registration.WaitAsync(Shorter(left, options.RecheckInterval), cancellationToken);
            }
        }
        catch (OperationCanceledException)
        {
            // The sender gave up: a command nobody took must never run later.
            await commands.WithdrawAsync(command.Id, CancellationToken.None);
            throw;
        }

        var withdrawn = await commands.WithdrawAsync(command.Id, CancellationToken.None);

        // The result may have arrived between the last read and the withdrawal.
        if (!withdrawn && await ResultOfAsync(command.Id, CancellationToken.None) is { } late)
        {
            return late;
        }

        throw new AgentUnavailableException(withdrawn
            ? $"Agent {agent.Name} did not take command {command.Id} ({command.Kind}) within {timeout.TotalMilliseconds:0} ms; it was withdrawn."
            : $"Agent {agent.Name} took command {command.Id} ({command.Kind}) but sent no result within {timeout.TotalMilliseconds:0} ms.");
    }

    private async Task<CommandResult?> ResultOfAsync(Guid commandId, CancellationToken cancellationToken) =>
        await commands.GetStateAsync(commandId, cancellationToken) is { State: "done", Result: { } json }
            ? JsonSerializer.Deserialize<CommandResult>(json, AgentJson.Options)
            : null;

    private static TimeSpan Shorter(TimeSpan a, TimeSpan b) => a < b ? a : b;

    [LoggerMessage(Level = LogLevel.Warning, Message = "Agent command {CommandId} refused: {Reason}")]
    private static partial void LogRefused(ILogger logger, Guid commandId, string reason);
}
