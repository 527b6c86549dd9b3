using System.Collections.Concurrent;
using System.Net;
using System.Text.Json;
using Faultline.Domain.Agents;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Faultline.Agent.Tests;

/// <summary>
/// The control plane's two agent endpoints, faithfully enough for the agent: bearer token checked on every
/// request, sessions, long polls woken by queued commands, renewals. A test tells it what to do (queue commands,
/// renew or not, answer errors, stop answering) and reads what it saw (hellos, polls, results, self-removals).
/// </summary>
public sealed class StandInControlPlane : IAsyncDisposable
{
    public const string Token = "fla_test-agent-token-7f3c9a";

    private readonly ConcurrentQueue<AgentCommand> _commands = new();
    private readonly ConcurrentDictionary<Guid, CommandResult> _results = new();
    private readonly ConcurrentQueue<AgentHello> _hellos = new();
    private readonly ConcurrentQueue<AgentPoll> _polls = new();
    private readonly ConcurrentQueue<SelfRemoval> _selfRemovals = new();
    private readonly ConcurrentDictionary<Guid, byte> _sessions = new();
    private readonly ConcurrentQueue<Guid> _sessionsOpened = new();
    private readonly SemaphoreSlim _commandQueued = new(0);
    private volatile TaskCompletionSource _answering = Completed();
    private WebApplication? _app;
    private int _failuresLeft;
    private int _unauthorized;
    private int _failedRequests;
    private HttpStatusCode _failureStatus = HttpStatusCode.ServiceUnavailable;

    public Uri Address { get; private set; } = null!;

    public TimeSpan PollWait { get; init; } = TimeSpan.FromMilliseconds(300);

    public TimeSpan Grace { get; init; } = TimeSpan.FromSeconds(1.5);

    /// <summary>Whether polls renew every fault the agent says it holds.</summary>
    public bool Renewing { get; set; } = true;

    /// <summary>Which held faults of a hello belong to a live run (renewed in the session answer); none by default.</summary>
    public Func<HeldFault, bool> OwnedAtHello { get; set; } = _ => false;

    /// <summary>Called with every poll before it is answered, while the agent waits for the answer.</summary>
    public Action<AgentPoll>? OnPoll { get; set; }

    public IReadOnlyList<AgentHello> Hellos => [.. _hellos];

    public IReadOnlyList<AgentPoll> Polls => [.. _polls];

    public IReadOnlyList<SelfRemoval> SelfRemovals => [.. _selfRemovals];

    /// <summary>Every request with a wrong or missing token, refused with 401.</summary>
    public int Unauthorized => _unauthorized;

    /// <summary>Requests answered with an injected failure.</summary>
    public int FailedRequests => _failedRequests;

    public static async Task<StandInControlPlane> StartAsync(TimeSpan? grace = null)
    {
        var plane = new StandInControlPlane { Grace = grace ?? TimeSpan.FromSeconds(1.5) };
        (plane._app, plane.Address) = await LoopbackWebApp.StartAsync(typeof(StandInControlPlane), plane.Map, TestContext.Current.CancellationToken);
        return plane;
    }

    /// <summary>The next <paramref name="count"/> requests are answered with <paramref name="status"/>.</summary>
    public void FailNext(int count, HttpStatusCode status)
    {
        _failureStatus = status;
        Volatile.Write(ref _failuresLeft, count);
    }

    /// <summary>Requests hang, as behind a partition, until <see cref="Answer"/>.</summary>
    public void StopAnswering()
    {
        if (_answering.Task.IsCompleted)
        {
            _answering = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }
    }

    public void Answer() => _answering.TrySetResult();

    /// <summary>Forgets every session, as a control plane that lost them would: the next poll gets 404.</summary>
    public void ForgetSessions() => _sessions.Clear();

    public void Queue(AgentCommand command)
    {
        _commands.Enqueue(command);
        _commandQueued.Release();
    }

    /// <summary>Queues <paramref name="command"/> and waits for the agent's result.</summary>
    public async Task<CommandResult> SendAsync(AgentCommand command, TimeSpan? timeout = null)
    {
        ArgumentNullException.ThrowIfNull(command);
        Queue(command);
        CommandResult? result = null;
        await Poll.UntilAsync(() => Task.FromResult(_results.TryGetValue(command.Id, out result)), timeout ?? TimeSpan.FromSeconds(20), $"the agent answers command {command.Kind} {command.Id}");
        return result!;
    }

    /// <summary>Waits until the agent polls in the session its <paramref name="hellos"/>-th hello opened.</summary>
    public async Task WaitForSessionAsync(int hellos = 1) =>
        await Poll.UntilAsync(
            () => Task.FromResult(_sessionsOpened.Count >= hellos && _polls.Any(p => p.SessionId == _sessionsOpened.ElementAt(hellos - 1))),
            TimeSpan.FromSeconds(30),
            $"the agent has said hello {hellos} time(s) and polls");

    /// <summary>Stops the server for good, as a control plane that went down: connections are refused from now on.</summary>
    public async Task ShutdownAsync()
    {
        Answer();
        if (_app is { } app)
        {
            _app = null;
            await LoopbackWebApp.StopAsync(app);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await ShutdownAsync();

        _commandQueued.Dispose();
    }

    private static TaskCompletionSource Completed()
    {
        var completed = new TaskCompletionSource();
        completed.SetResult();
        return completed;
    }

    private void Map(WebApplication app)
    {
        app.MapPost(AgentProtocol.SessionsPath, async (HttpContext context) =>
        {
            if (await RefuseAsync(context) is { } refusal)
            {
                return refusal;
            }

            var hello = await JsonSerializer.DeserializeAsync<AgentHello>(context.Request.Body, AgentJson.Options, context.RequestAborted);
            _hellos.Enqueue(hello!);
            var sessionId = Guid.NewGuid();
            _sessions[sessionId] = 0;
            _sessionsOpened.Enqueue(sessionId);
            var renewals = hello!.HeldFaults.Where(OwnedAtHello).Select(f => new FaultRenewal(f.FaultId, DateTimeOffset.UtcNow + Grace)).ToList();
            return Results.Json(new AgentSession(Guid.NewGuid(), sessionId, (int)PollWait.TotalMilliseconds, (int)Grace.TotalMilliseconds, renewals), AgentJson.Options);
        });

        app.MapPost(AgentProtocol.PollPath, async (HttpContext context) =>
        {
            if (await RefuseAsync(context) is { } refusal)
            {
                return refusal;
            }

            var poll = (await JsonSerializer.DeserializeAsync<AgentPoll>(context.Request.Body, AgentJson.Options, context.RequestAborted))!;
            if (!_sessions.ContainsKey(poll.SessionId))
            {
                return Results.NotFound();
            }

            _polls.Enqueue(poll);
            OnPoll?.Invoke(poll);
            foreach (var result in poll.Results)
            {
                _results[result.CommandId] = result;
            }

            foreach (var removal in poll.SelfRemovals)
            {
                _selfRemovals.Enqueue(removal);
            }

            // The long poll: answer at once when there is something to say, otherwise when a command is queued or the wait ends.
            if (_commands.IsEmpty && poll.Results.Count == 0)
            {
                try
                {
                    await _commandQueued.WaitAsync(PollWait, context.RequestAborted);
                }
                catch (OperationCanceledException)
                {
                    return Results.Empty;
                }
            }

            var commands = new List<AgentCommand>();
            while (_commands.TryDequeue(out var command))
            {
                commands.Add(command);
            }

            var renewals = Renewing ? poll.HeldFaultIds.Select(id => new FaultRenewal(id, DateTimeOffset.UtcNow + Grace)).ToList() : [];
            return Results.Json(new AgentPollResponse(commands, renewals), AgentJson.Options);
        });
    }

    /// <summary>The refusals every request may meet: a partition (hang), a wrong token, an injected failure.</summary>
    private async Task<IResult?> RefuseAsync(HttpContext context)
    {
        try
        {
            await _answering.Task.WaitAsync(context.RequestAborted);
        }
        catch (OperationCanceledException)
        {
            return Results.Empty;
        }

        if (context.Request.Headers.Authorization.ToString() != $"Bearer {Token}")
        {
            Interlocked.Increment(ref _unauthorized);
            return Results.Unauthorized();
        }

        if (Interlocked.Decrement(ref _failuresLeft) >= 0)
        {
            Interlocked.Increment(ref _failedRequests);
            return Results.StatusCode((int)_failureStatus);
        }

        Interlocked.Exchange(ref _failuresLeft, 0);
        return null;
    }
}
