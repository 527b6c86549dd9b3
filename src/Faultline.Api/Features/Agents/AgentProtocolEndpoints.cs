using System.Text.Json;
using Faultline.Api.Auth;
using Faultline.Api.Http;
using Faultline.Api.Problems;
using Faultline.Domain.Agents;
using Faultline.Engine.Agents;
using Faultline.Engine.Cluster;
using Faultline.Storage.Agents;
using Faultline.Storage.Common;

namespace Faultline.Api.Features.Agents;

/// <summary>
/// The control plane's side of the agent protocol (<see cref="AgentProtocol"/>): a hello opens a session, polls
/// carry results, self-removals and the faults the agent holds, and bring back commands and renewals. Open to
/// agent tokens only. Bodies use <see cref="AgentJson.Options"/>, so enum values are kebab-case on the wire.
/// </summary>
public static class AgentProtocolEndpoints
{
    public static RouteGroupBuilder MapAgentProtocolEndpoints(this RouteGroupBuilder api)
    {
        var group = api.MapGroup("/agent").WithTags("Agent protocol").RequireAuthorization(Policies.Agent).WithStandardProblems();

        group.MapPost("/sessions", HelloAsync).WithName("OpenAgentSession")
            .WithSummary("An agent says hello: registers it, its injectors and targets; answers which held faults still belong to a live run")
            .AcceptsAgentMessage<AgentHello>()
            .Produces<AgentSession>().ProducesProblem(StatusCodes.Status409Conflict);
        group.MapPost("/poll", PollAsync).WithName("PollAgentCommands")
            .WithSummary("The agent's long poll and heartbeat: results in; commands and renewals out (held open up to pollWaitMs)")
            .AcceptsAgentMessage<AgentPoll>()
            .Produces<AgentPollResponse>().ProducesNotFound();
        return api;
    }

    private static RouteHandlerBuilder AcceptsAgentMessage<TBody>(this RouteHandlerBuilder builder)
        where TBody : notnull =>
        builder.Accepts<TBody>("application/json")
            .Produces<HttpValidationProblemDetails>(StatusCodes.Status400BadRequest, ProblemWriter.ContentType)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesProblem(StatusCodes.Status415UnsupportedMediaType);

    private static async Task<IResult> HelloAsync(
        HttpContext context, AgentStore agents, AgentOptions options, ClusterMembership membership, CancellationToken cancellationToken)
    {
        var caller = context.GetAgentCaller();
        var hello = await AgentProtocolBody.ReadAsync<AgentHello>(context);
        ThrowIfInvalid(AgentProtocolValidation.Validate(hello));

        var registration = new AgentRegistration(
            caller.OrganizationId, caller.TeamId, caller.TokenId, hello.Name, hello.Hostname, hello.Version,
            JsonSerializer.Serialize(hello.Injectors, AgentJson.Options), JsonSerializer.Serialize(hello.Targets, AgentJson.Options),
            membership.NodeId.ToString());
        var outcome = await agents.UpsertAsync(registration, AuditOf(context, caller), cancellationToken);
        if (outcome.Status == OutcomeStatus.Conflict)
        {
            throw new ProblemException(StatusCodes.Status409Conflict, ProblemTypes.Conflict, "Conflict",
                $"An agent named '{hello.Name}' belongs to another team of this organization; this token cannot take it over.",
                new Dictionary<string, string[]> { ["$.name"] = ["is taken by another team's agent."] });
        }

        var agent = outcome.Value!;
        var renewals = await RenewalsAsync(agents, caller.OrganizationId, hello.HeldFaults.Select(f => f.FaultId).ToList(), options, cancellationToken);
        return AgentProtocolBody.Write(new AgentSession(agent.Id, agent.SessionId, Milliseconds(options.PollWait), Milliseconds(options.Grace), renewals));
    }

    private static async Task<IResult> PollAsync(
        HttpContext context, AgentStore agents, AgentCommandStore commands, AgentSignals signals, AgentOptions options, ClusterMembership membership,
        CancellationToken cancellationToken)
    {
        var caller = context.GetAgentCaller();
        var poll = await AgentProtocolBody.ReadAsync<AgentPoll>(context);
        ThrowIfInvalid(AgentProtocolValidation.Validate(poll));

        // A replaced or unknown session gets 404: the agent says hello again, which re-reports its held faults.
        var agent = await agents.FindBySessionAsync(caller.OrganizationId, caller.TokenId, poll.SessionId, cancellationToken)
            ?? throw new ProblemException(StatusCodes.Status404NotFound, ProblemTypes.NotFound, "Session not found",
                $"Session {poll.SessionId} is not this agent's current session. Open a new one: POST {AgentProtocol.SessionsPath}.");

        await agents.TouchAsync(agent.Id, membership.NodeId.ToString(), cancellationToken);
        await commands.CompleteAsync(agent.Id, poll.Results.Select(r => (r.CommandId, JsonSerializer.Serialize(r, AgentJson.Options))).ToList(), cancellationToken);
        await agents.RecordSelfRemovalsAsync(
            caller.OrganizationId, agent.Id, poll.SelfRemovals.Select(r => new NewSelfRemoval(r.FaultId, r.Reason, r.Evidence, r.RemovedAt)).ToList(), cancellationToken);

        var taken = await WaitForCommandsAsync(agent.Id, commands, signals, options, cancellationToken);

        // Renewals are computed last, so the grace they grant starts when the agent receives them, not before the wait.
        var renewals = await RenewalsAsync(agents, caller.OrganizationId, poll.HeldFaultIds, options, cancellationToken);
        return AgentProtocolBody.Write(new AgentPollResponse(taken, renewals));
    }

    /// <summary>Takes queued commands; when there are none, holds the poll until one is queued or the poll wait ends.</summary>
    private static async Task<IReadOnlyList<AgentCommand>> WaitForCommandsAsync(
        Guid agentId, AgentCommandStore commands, AgentSignals signals, AgentOptions options, CancellationToken cancellationToken)
    {
        // Registered before the first read: a command queued between that read and the wait still wakes us.
        using var registration = signals.Commands.Register(agentId.ToString());
        var deadline = DateTimeOffset.UtcNow + options.PollWait;
        await signals.Commands.WhenListeningAsync(options.RecheckInterval, cancellationToken);
        while (true)
        {
            var payloads = await commands.TakeAsync(agentId, cancellationToken);
            var left = deadline - DateTimeOffset.UtcNow;
            if (payloads.Count > 0 || left <= TimeSpan.Zero)
            {
                return payloads.Select(p => JsonSerializer.Deserialize<AgentCommand>(p, AgentJson.Options)!).ToList();
            }

            await registration.WaitAsync(left < options.RecheckInterval ? left : options.RecheckInterval, cancellationToken);
        }
    }

    private static async Task<IReadOnlyList<FaultRenewal>> RenewalsAsync(
        AgentStore agents, Guid organizationId, IReadOnlyCollection<string> heldFaultIds, AgentOptions options, CancellationToken cancellationToken)
    {
        var live = await agents.LiveFaultIdsAsync(organizationId, heldFaultIds, cancellationToken);
        var graceUntil = DateTimeOffset.UtcNow + options.Grace;
        return live.Select(id => new FaultRenewal(id, graceUntil)).ToList();
    }

    private static void ThrowIfInvalid(Domain.Validation.ValidationErrors errors)
    {
        if (!errors.IsEmpty)
        {
            throw ProblemException.Validation(errors.ToDictionary());
        }
    }

    private static AuditContext AuditOf(HttpContext context, AgentCaller caller) =>
        new(null, $"agentToken:{caller.TokenName}", RequestIds.Get(context), context.Connection.RemoteIpAddress?.ToString());

    private static int Milliseconds(TimeSpan span) => (int)span.TotalMilliseconds;
}
