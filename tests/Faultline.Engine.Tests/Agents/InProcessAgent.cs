using System.Collections.Concurrent;
using Faultline.Domain.Agents;
using Faultline.Engine.Agents;
using Faultline.Engine.Plugins;
using Faultline.Sdk.Targets;

namespace Faultline.Engine.Tests.Agents;

/// <summary>
/// One agent of one organization, in process: its directory entry and its command bus, executing each command with
/// a real plugin catalog as the agent would. It can be taken offline: it still owns its targets, but lists none as
/// candidates and the bus times out, as for a partition.
/// Every command it receives is recorded, so a test sees what went to the agent and what stayed local.
/// </summary>
internal sealed class InProcessAgent(Guid organizationId, PluginCatalog catalog, IReadOnlyList<Target> targets) : IAgentDirectory, IAgentCommandBus
{
    public Guid AgentId { get; } = Guid.NewGuid();

    public ConcurrentQueue<AgentCommand> Received { get; } = new();

    public bool Offline { get; set; }

    /// <summary>The directory's database is unreachable: every lookup throws, as Npgsql would.</summary>
    public bool DirectoryDown { get; set; }

    public Task<AgentTarget?> FindAsync(Guid organization, string kind, string id, CancellationToken cancellationToken) =>
        DirectoryDown ? throw new InvalidOperationException("connection refused") : Task.FromResult(organization != organizationId
            ? null
            : Entries().FirstOrDefault(entry => entry.Target.Kind == kind && entry.Target.Id == id));

    public Task<IReadOnlyList<AgentTarget>> ListTargetsAsync(Guid organization, CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<AgentTarget>>(Offline || organization != organizationId ? [] : Entries());

    public async Task<CommandResult> SendAsync(Guid organization, Guid agentId, Guid? runId, AgentCommand command, TimeSpan timeout, CancellationToken cancellationToken)
    {
        Assert.Equal(organizationId, organization);
        Assert.Equal(AgentId, agentId);
        Received.Enqueue(command);
        if (Offline)
        {
            throw new AgentUnavailableException($"no answer within {timeout.TotalSeconds:0.#} s");
        }

        var injector = catalog.FindInjector(command.Injector)!;
        try
        {
            return command.Kind switch
            {
                AgentCommandKind.Validate => Result(command) with
                {
                    Validation = (await injector.ValidateAsync(command.Request!, cancellationToken)).Errors,
                    Claims = [.. injector.Claims(command.Request!), "agent-claim"],
                },
                AgentCommandKind.Inject => Result(command) with { Handle = await injector.InjectAsync(command.Request!, cancellationToken) },
                AgentCommandKind.Verify => Result(command) with { Verification = await injector.VerifyAsync(command.Handle!, cancellationToken) },
                AgentCommandKind.Rollback => Result(command) with { Rollback = await injector.RollbackAsync(command.Handle!, cancellationToken) },
                AgentCommandKind.ListLeftovers => Result(command) with { Leftovers = await injector.ListLeftoversAsync(command.Target, cancellationToken) },
                _ => throw new ArgumentOutOfRangeException(nameof(command), command.Kind, null),
            };
        }
        catch (Exception exception) when (exception is PluginCallException or InjectFailedException)
        {
            return Result(command) with { Error = exception.Message };
        }
    }

    private List<AgentTarget> Entries() =>
        [.. targets.Select(target => new AgentTarget(AgentId, "agent-1", target, [.. catalog.Injectors.Select(i => i.Name)]))];

    private static CommandResult Result(AgentCommand command) => new(command.Id, null, null, null, null, null, null, null);
}
