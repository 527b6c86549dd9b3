using System.Collections.Concurrent;
using System.Text.Json;
using Faultline.Domain.Agents;
using Faultline.Engine.Plugins;
using Faultline.Sdk.Injection;
using Faultline.Sdk.Targets;
using Microsoft.Extensions.Logging;

namespace Faultline.Agent;

/// <summary>
/// One agent: loads the plugins, restores its journal into the dead-man switch, then keeps a session with the
/// control plane (hello, then long polls that carry results and heartbeats and bring commands and renewals),
/// reconnecting with back-off. The dead-man switch runs from start to stop whatever the connection does.
/// <see cref="StopAsync"/> is the graceful end (every held fault removed and reported); <see cref="DisposeAsync"/>
/// alone abandons everything as a crash would, leaving the journal for the next start.
/// </summary>
public sealed class AgentRuntime : IAsyncDisposable
{
    /// <summary>After commands arrive, how long the next poll waits for their results so they need not wait a whole long poll.</summary>
    private static readonly TimeSpan ResultWindow = TimeSpan.FromSeconds(1);

    /// <summary>How much longer than a poll's wait the last report of a stop may take.</summary>
    private static readonly TimeSpan FinalReportMargin = TimeSpan.FromSeconds(2);

    private static readonly JsonElement EmptyConfiguration = JsonDocument.Parse("{}").RootElement;

    private readonly AgentOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly AgentJournal _journal;
    private readonly DeadManSwitch _switch;
    private readonly CommandExecutor _executor;
    private readonly ReportedTargets _reported = new();
    private readonly ControlPlaneClient _client;
    private readonly ConcurrentQueue<CommandResult> _results = new();
    private readonly ConcurrentDictionary<Task, byte> _inFlight = new();
    private readonly CancellationTokenSource _stopping = new();
    private readonly CancellationTokenSource _watchdogStopping = new();
    private IReadOnlyList<AgentInjector>? _injectors;
    private Task _loop = Task.CompletedTask;
    private Task _watchdog = Task.CompletedTask;
    private TimeSpan _grace;
    private TimeSpan _pollWait = AgentProtocol.DefaultPollWait;

    public AgentRuntime(AgentOptions options, ILoggerFactory loggerFactory, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(loggerFactory);
        _options = options;
        _time = time ?? TimeProvider.System;
        _logger = loggerFactory.CreateLogger<AgentRuntime>();
        _grace = options.Grace;
        Catalog = new PluginCatalog(
            new PluginHostOptions { SearchPaths = options.PluginSearchPaths, StateRoot = options.PluginStateRoot, Settings = options.PluginSettings },
            loggerFactory.CreateLogger<PluginCatalog>());
        var lanes = new TargetLanes();
        _journal = new AgentJournal(options.JournalDirectory, _logger);
        _switch = new DeadManSwitch(_journal, new FaultRemover(Catalog), lanes, _time, options.WatchdogInterval, loggerFactory.CreateLogger<DeadManSwitch>())
        {
            PersistThreshold = options.Grace / 4,
        };
        _executor = new CommandExecutor(Catalog, _journal, _switch, lanes, _reported, () => _grace, _time, loggerFactory.CreateLogger<CommandExecutor>());
        _client = new ControlPlaneClient(options);
    }

    public PluginCatalog Catalog { get; }

    /// <summary>The session the agent polls in, or null while it has none.</summary>
    public Guid? SessionId { get; private set; }

    /// <summary>The ids of the faults the agent holds now.</summary>
    public IReadOnlyList<string> HeldFaultIds => _switch.HeldFaultIds;

    /// <summary>Restores the journal into the dead-man switch, starts it, and starts talking to the control plane.</summary>
    public Task StartAsync()
    {
        foreach (var entry in _journal.ReadAll())
        {
            // The journaled grace is the last one the control plane granted: if it ran out while the agent was
            // down, the watchdog removes the fault at its first tick, connected or not.
            _switch.Hold(entry);
            _logger.LogInformation("Journal holds fault {FaultId} ({Injector} on {Target}), grace until {GraceUntil:O}", entry.FaultId, entry.Injector, entry.Target, entry.GraceUntil);
        }

        _watchdog = _switch.RunAsync(_watchdogStopping.Token);
        _loop = Task.Run(() => RunAsync(_stopping.Token));
        return Task.CompletedTask;
    }

    /// <summary>
    /// The graceful end (SIGTERM): stop polling, let running commands finish, remove every held fault, report the
    /// removals if the control plane answers, stop the watchdog. True when no fault is left.
    /// </summary>
    public async Task<bool> StopAsync()
    {
        await _stopping.CancelAsync();
        await _loop;
        await Task.WhenAll(_inFlight.Keys);
        var removed = await _switch.RemoveAllAsync("the agent is stopping", _options.StopTimeout);
        if (!removed)
        {
            _logger.LogError("Stopping with faults still held: {Faults}; the journal keeps them for the next start", string.Join(", ", _switch.HeldFaultIds));
        }

        await ReportFinallyAsync();
        await _watchdogStopping.CancelAsync();
        await _watchdog;
        return removed;
    }

    /// <summary>Abandons everything without removing anything, as a crash would (unless <see cref="StopAsync"/> ran first).</summary>
    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync();
        await _watchdogStopping.CancelAsync();
        await Task.WhenAll(_loop, _watchdog);
        _client.Dispose();
        _stopping.Dispose();
        _watchdogStopping.Dispose();
    }

    private async Task RunAsync(CancellationToken stopping)
    {
        var backoff = new Backoff(_options.InitialBackoff, _options.MaxBackoff);
        AgentSession? session = null;
        while (!stopping.IsCancellationRequested)
        {
            try
            {
                session ??= await OpenSessionAsync(stopping);
                await PollOnceAsync(session, stopping);
                backoff.Reset();
            }
            catch (OperationCanceledException) when (stopping.IsCancellationRequested)
            {
                break;
            }
#pragma warning disable CA1031 // The loop must outlive anything one session throws (a plugin, the disk): the agent backs off and says hello again.
            catch (Exception exception) when (exception is not ControlPlaneException)
#pragma warning restore CA1031
            {
                _logger.LogError(exception, "The session failed; saying hello again after a back-off");
                session = null;
                SessionId = null;
                try
                {
                    await Task.Delay(backoff.Next(), _time, stopping);
                }
                catch (OperationCanceledException)
                {
                    break;
                }
            }
            catch (ControlPlaneException exception)
            {
                if (session is not null && exception.SessionUnknown)
                {
                    _logger.LogWarning("The control plane no longer knows session {SessionId} ({Error}); saying hello again", session.SessionId, exception.Message);
                    session = null;
                    SessionId = null;
                }

                var delay = exception.TokenRefused ? _options.AuthRetryDelay : backoff.Next();
                if (exception.TokenRefused)
                {
                    _logger.LogError("The control plane refused the agent token ({Error}): it may be revoked or belong to another organization. Retrying in {Delay}; held faults are removed when their grace ends", exception.Message, delay);
                }
                else
                {
                    _logger.LogWarning("Control plane {Server} unreachable ({Error}); retrying in {Delay:0} ms", _options.Server, exception.Message, delay.TotalMilliseconds);
                }

                try
                {
                    await Task.Delay(delay, _time, stopping);
                }
                catch (OperationCanceledException)
                {
                    break;
                }
            }
        }
    }

    private async Task<AgentSession> OpenSessionAsync(CancellationToken cancellationToken)
    {
        var targets = await DiscoverTargetsAsync(cancellationToken);
        _injectors ??= await DescribeInjectorsAsync(cancellationToken);
        var held = await HeldFaultsAsync(targets, cancellationToken);
        var session = await _client.HelloAsync(
            new AgentHello(_options.Name, Environment.MachineName, AgentVersion.Value, _injectors, targets, [.. held.Select(h => h.ToHeldFault())]),
            cancellationToken);

        _reported.Replace(targets);
        _grace = session.GraceMs > 0 && TimeSpan.FromMilliseconds(session.GraceMs) < _options.Grace ? TimeSpan.FromMilliseconds(session.GraceMs) : _options.Grace;
        _switch.PersistThreshold = _grace / 4;
        _pollWait = session.PollWaitMs > 0 ? TimeSpan.FromMilliseconds(session.PollWaitMs) : AgentProtocol.DefaultPollWait;
        SessionId = session.SessionId;
        _logger.LogInformation(
            "Session {SessionId} open with {Server} as agent {AgentId}: {Targets} target(s), {Held} held fault(s), {Renewed} renewed; grace {Grace}",
            session.SessionId, _options.Server, session.AgentId, targets.Count, held.Count, session.Renewals.Count, _grace);

        // Every held fault is now the switch's; the control plane named the ones a live run still owns.
        var now = _time.GetUtcNow();
        foreach (var fault in held.Where(h => _switch.Find(h.FaultId) is null))
        {
            _switch.Hold(fault);
        }

        var renewed = session.Renewals.Select(r => r.FaultId).ToHashSet(StringComparer.Ordinal);
        await _switch.RemoveNowAsync(held.Select(h => h.FaultId).Where(id => !renewed.Contains(id)), "not owned by a live run when the session opened");
        foreach (var renewal in session.Renewals)
        {
            if (_switch.Renew(renewal.FaultId, now + _grace) && !_journal.Contains(renewal.FaultId) && _switch.Find(renewal.FaultId) is { } leftover)
            {
                // A leftover without a journal entry that a live run claims: journal it like any other fault.
                _journal.Write(leftover);
            }
        }

        return session;
    }

    private async Task PollOnceAsync(AgentSession session, CancellationToken cancellationToken)
    {
        var results = TakeResults();
        var removals = _switch.TakeSelfRemovals();
        AgentPollResponse response;
        try
        {
            response = await _client.PollAsync(new AgentPoll(session.SessionId, results, _switch.HeldFaultIds, removals), _pollWait, cancellationToken);
        }
        catch
        {
            // Not known to have arrived: sent again with the next poll (the control plane takes them at least once).
            foreach (var result in results)
            {
                _results.Enqueue(result);
            }

            _switch.Requeue(removals);
            throw;
        }

        var now = _time.GetUtcNow();
        foreach (var renewal in response.Renewals)
        {
            // Our own clock, not the control plane's GraceUntil: the two hosts' clocks need not agree.
            _switch.Renew(renewal.FaultId, now + _grace);
        }

        var started = response.Commands.Select(command => Dispatch(command, cancellationToken)).ToList();
        if (started.Count > 0)
        {
            await Task.WhenAny(Task.WhenAll(started), Task.Delay(ResultWindow, _time, cancellationToken));
        }
    }

    private Task Dispatch(AgentCommand command, CancellationToken cancellationToken)
    {
        var task = Task.Run(async () => _results.Enqueue(await _executor.ExecuteAsync(command, cancellationToken)), CancellationToken.None);
        _inFlight[task] = 0;
        _ = task.ContinueWith(t => _inFlight.TryRemove(t, out _), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        return task;
    }

    private List<CommandResult> TakeResults()
    {
        var results = new List<CommandResult>();
        while (_results.TryDequeue(out var result))
        {
            results.Add(result);
        }

        return results;
    }

    /// <summary>Best effort: the self-removals and results of the stop, if the control plane answers quickly.</summary>
    private async Task ReportFinallyAsync()
    {
        if (SessionId is not { } sessionId)
        {
            return;
        }

        // A control plane may hold even this poll for its wait; it has the removals once it has read the body.
        using var timeout = new CancellationTokenSource(_pollWait + FinalReportMargin);
        try
        {
            await _client.PollAsync(new AgentPoll(sessionId, TakeResults(), _switch.HeldFaultIds, _switch.TakeSelfRemovals()), TimeSpan.Zero, timeout.Token);
        }
        catch (Exception exception) when (exception is ControlPlaneException or OperationCanceledException)
        {
            _logger.LogWarning("Could not report the removals of the stop to the control plane: {Error}", exception.Message);
        }
    }

    private async Task<IReadOnlyList<Target>> DiscoverTargetsAsync(CancellationToken cancellationToken)
    {
        var targets = new Dictionary<(string, string), Target>();
        foreach (var target in _options.StaticTargets)
        {
            targets.TryAdd((target.Kind, target.Id), target);
        }

        foreach (var discovery in Catalog.TargetDiscoveries.OrderBy(d => d.Name, StringComparer.Ordinal))
        {
            try
            {
                foreach (var target in await discovery.DiscoverAsync(EmptyConfiguration, cancellationToken))
                {
                    targets.TryAdd((target.Kind, target.Id), target);
                }
            }
            catch (PluginCallException exception)
            {
                _logger.LogWarning("Target discovery {Discovery} failed: {Error}", discovery.Name, exception.Message);
            }
        }

        return [.. targets.Values];
    }

    private async Task<IReadOnlyList<AgentInjector>> DescribeInjectorsAsync(CancellationToken cancellationToken)
    {
        var injectors = new List<AgentInjector>();
        foreach (var injector in Catalog.Injectors.OrderBy(i => i.Name, StringComparer.Ordinal))
        {
            HostCapabilityReport? report = null;
            try
            {
                report = await injector.ProbeHostAsync(cancellationToken);
            }
            catch (PluginCallException exception)
            {
                _logger.LogWarning("Host probe of injector {Injector} failed: {Error}", injector.Name, exception.Message);
            }

            injectors.Add(new AgentInjector(injector.Name, injector.Descriptor.TargetKinds, report));
        }

        return injectors;
    }

    /// <summary>The journal's faults and every leftover on a reported target whose fault id the journal does not know.</summary>
    private async Task<List<JournalEntry>> HeldFaultsAsync(IReadOnlyList<Target> targets, CancellationToken cancellationToken)
    {
        var held = _switch.Entries.ToList();
        var known = held.Select(h => h.FaultId).ToHashSet(StringComparer.Ordinal);
        var graceUntil = _time.GetUtcNow() + _grace;
        foreach (var injector in Catalog.Injectors)
        {
            foreach (var target in targets.Where(t => injector.Descriptor.TargetKinds.Contains(t.Kind, StringComparer.Ordinal)))
            {
                try
                {
                    foreach (var leftover in await injector.ListLeftoversAsync(target, cancellationToken))
                    {
                        if (known.Add(leftover.FaultId))
                        {
                            _logger.LogWarning("Found leftover {Injector} fault {FaultId} on {Target} that the journal does not know", injector.Name, leftover.FaultId, target);
                            held.Add(new JournalEntry(leftover.FaultId, null, injector.Name, target, leftover, leftover.ExpiresAt, graceUntil));
                        }
                    }
                }
                catch (PluginCallException exception)
                {
                    _logger.LogWarning("Leftover scan of {Injector} on {Target} failed: {Error}", injector.Name, target, exception.Message);
                }
            }
        }

        return held;
    }
}
