using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using Faultline.Domain.Experiments;
using Faultline.Domain.Policies;
using Faultline.Domain.Runs;
using Faultline.Domain.Validation;
using Faultline.Engine.Cluster;
using Faultline.Engine.Plugins;
using Faultline.Sdk.Injection;
using Faultline.Storage.Runs;
using Microsoft.Extensions.Logging;

namespace Faultline.Engine.Runs;

/// <summary>
/// The single live activation of one run (the "grain"): it takes the run through the four steps, or, when it
/// inherits a run another node was driving, rolls back whatever that node may have left and closes the run.
/// </summary>
/// <remarks>
/// <para>
/// Safety rules, in the order they matter. A fault's intent row is written (fenced) before its injector is
/// called, so a later owner always knows what to look for. A fault is added to the rollback set before its
/// "active" row is written, so a failed write never strands it. Rollback is never cancelled by an abort, only
/// bounded by the plugin call timeouts and retried; a fault whose removal cannot be proven stays open
/// ("failed") for reconciliation and the verdict says so.
/// </para>
/// <para>
/// When the lease is lost (this node was paused or cut off), every further write is refused by the fence, so
/// the actor stops driving the run at once; it still removes the faults it applied itself (removal is
/// idempotent and the new owner does the same), but it records nothing: the new owner writes the outcome.
/// </para>
/// </remarks>
public sealed class RunActor : IDisposable
{
    private readonly ClaimedRun _claim;
    private readonly RunRecord _run;
    private readonly LeaseKeeper _keeper;
    private readonly RunJournal _journal;
    private readonly RunEngineServices _services;
    private readonly ILogger _logger;
    private readonly ConcurrentDictionary<string, ActiveFault> _active = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _abortSignal = new();
    private readonly Dictionary<string, double?> _baselines = new(StringComparer.Ordinal);
    private readonly List<ProbeReading> _readings = [];
    private readonly Lock _gate = new();
    private (AbortCause Cause, string Reason)? _abort;
    private long _abortedAt;
    private string _state;
    private int _faultSequence;
    private int _planned;
    private int _verified;
    private bool _steadyDuring = true;
    private TimeSpan? _recoveryWindow;
    private TimeSpan? _recoveredIn;

    public RunActor(ClaimedRun claim, LeaseKeeper keeper, RunEngineServices services)
    {
        ArgumentNullException.ThrowIfNull(claim);
        ArgumentNullException.ThrowIfNull(keeper);
        ArgumentNullException.ThrowIfNull(services);
        _claim = claim;
        _run = claim.Run;
        _keeper = keeper;
        _services = services;
        _journal = new RunJournal(services.DataSource, claim.Lease.Fence, claim.Run.Id);
        _logger = services.LoggerFactory.CreateLogger<RunActor>();
        _state = claim.Run.State;
    }

    public Guid RunId => _run.Id;

    /// <summary>Database round-trips this activation made, for the benchmark.</summary>
    public int RoundTrips => _journal.RoundTrips;

    /// <summary>Stops the run: faults are rolled back and the run closes as aborted. The first request wins.</summary>
    public void RequestAbort(AbortCause cause, string reason)
    {
        lock (_gate)
        {
            if (_abort is not null)
            {
                return;
            }

            _abort = (cause, reason);
            _abortedAt = Stopwatch.GetTimestamp();
        }

        _logger.LogInformation("Run {RunId}: abort ({Cause}): {Reason}", RunId, cause, reason);
        try
        {
            _abortSignal.Cancel();
        }
        catch (ObjectDisposedException)
        {
            // The run already finished.
        }
    }

    public async Task RunAsync(CancellationToken nodeStopping)
    {
        using var stopping = nodeStopping.Register(() => RequestAbort(AbortCause.LostOwner, "the node driving the run is shutting down"));
        try
        {
            if (_claim.IsTakeover)
            {
                await TakeOverAsync();
            }
            else
            {
                await ExecuteAsync();
            }
        }
        catch (Exception exception) when (_keeper.IsLost || exception is LeaseLostException)
        {
            _keeper.MarkLost("a fenced write was refused");
            _logger.LogWarning("Run {RunId}: lease lost ({Message}); removing this activation's {Count} fault(s) without recording, the new owner closes the run",
                RunId, exception.Message, _active.Count);
            foreach (var fault in _active.Values.ToList())
            {
                await RollbackAsync(fault, record: false);
            }
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            // A bug or a database failure mid-run: remove what this activation applied and close the run as an
            // error. If even that fails, the lease is released below and the next owner reconciles the run.
            _logger.LogError(exception, "Run {RunId} failed unexpectedly in state {State}", RunId, _state);
            var allRemoved = await RollbackAllAsync();
            await CloseAsync(Evidence(steadyBefore: true, recovered: false, allRemoved, error: $"The engine failed in state {_state}: {exception.Message}"));
        }
        finally
        {
            await _keeper.DisposeAsync();
        }
    }

    public void Dispose() => _abortSignal.Dispose();

    private async Task ExecuteAsync()
    {
        var lease = _keeper.LeaseLost;
        if (await _journal.AbortRequestAsync(lease) is { } requested)
        {
            RequestAbort(ParseCause(requested.Cause), requested.Reason);
            await CloseAsync(Evidence(steadyBefore: false, recovered: false, allRemoved: true, error: null));
            return;
        }

        var spec = ReadSpec(_run.Spec);
        await MoveAsync(RunState.CheckingSteadyState, $"Checking the steady state (node {_services.NodeId}).");

        if (await _services.Halts.FindCoveringAsync(_run.OrganizationId, _run.TeamId, lease) is { } halt)
        {
            RequestAbort(AbortCause.Halt, $"halted before injection by {halt.Describe()}");
            await CloseAsync(Evidence(steadyBefore: false, recovered: false, allRemoved: true, error: null));
            return;
        }

        var plan = await _services.Planner.PlanAsync(
            spec, _run.OrganizationId, _run.TeamId, _run.TeamName ?? "", new RunRequest(_run.RequestedBy, _run.ApprovedBy, _run.ApprovedBy is not null),
            _run.Id, Random.Shared, lease);
        await _journal.AppendAsync("plan", Describe(plan), PlanData(plan), lease);
        if (!plan.IsAllowedNow)
        {
            var why = string.Join("; ", plan.Problems.Select(p => $"{p.Path}: {p.Message}")
                .Concat(plan.Policy.Violations.Select(v => $"policy rule {v.Rule}: {v.Message}")));
            await CloseAsync(Evidence(steadyBefore: true, recovered: false, allRemoved: true, error: $"Refused before anything was injected: {why}"));
            return;
        }

        _planned = plan.Actions.Where(action => !action.Path.StartsWith("$.spec.rollbacks", StringComparison.Ordinal)).Sum(action => action.Targets.Count);

        var steadyBefore = await SampleSteadyStateAsync(spec, ProbePhases.Baseline, lease);
        steadyBefore &= await SampleGuardrailBaselinesAsync(spec, lease);
        if (!steadyBefore || IsAborting)
        {
            await CloseAsync(Evidence(steadyBefore, recovered: false, allRemoved: true, error: null));
            return;
        }

        await MoveAsync(RunState.Injecting, $"Injecting {_planned} fault(s).");
        string? error = null;
        using (var method = CancellationTokenSource.CreateLinkedTokenSource(_abortSignal.Token, lease))
        {
            using var watching = CancellationTokenSource.CreateLinkedTokenSource(method.Token);
            var guardrails = spec.Guardrails.Select(guardrail => WatchAsync(guardrail, watching.Token)).ToList();
            if (_services.Agents is { } agents)
            {
                guardrails.Add(WatchAgentRemovalsAsync(agents, watching.Token));
            }
            try
            {
                await RunStepsAsync(spec.Method, "$.spec.method", plan, method.Token);
            }
            catch (OperationCanceledException) when (IsAborting && !lease.IsCancellationRequested)
            {
                // Aborted: the faults are rolled back below.
            }
            catch (RunFailedException failure)
            {
                error = failure.Message;
            }
            finally
            {
                await watching.CancelAsync();
                await Task.WhenAll(guardrails);
            }
        }

        lease.ThrowIfCancellationRequested();
        if (_state is "injecting" or "observing")
        {
            await MoveAsync(RunState.RollingBack, $"Rolling back {_active.Count} fault(s){(IsAborting ? " after the abort" : error is null ? "" : " after an error")}.");
        }

        var allRemoved = await RollbackAllAsync();
        if (IsAborting && allRemoved && Interlocked.Read(ref _abortedAt) is var abortedAt and > 0)
        {
            EngineTelemetry.AbortToRollback.Record(Stopwatch.GetElapsedTime(abortedAt).TotalSeconds);
        }

        if (error is null && !IsAborting)
        {
            error = await RunRollbackActionsAsync(spec, plan, lease);
            allRemoved &= await RollbackAllAsync();
        }

        var recovered = false;
        if (error is null && !IsAborting && allRemoved)
        {
            await MoveAsync(RunState.VerifyingRecovery, "Verifying that the steady state recovered.");
            recovered = await WaitForRecoveryAsync(spec, lease);
        }

        await CloseAsync(Evidence(steadyBefore: true, recovered, allRemoved, error));
    }

    private async Task TakeOverAsync()
    {
        var lease = _keeper.LeaseLost;
        var previous = _claim.PreviousOwner is { } node ? $"node {node}" : "its previous owner";
        EngineTelemetry.RunsTakenOver.Add(1);
        await _journal.AppendAsync(
            "run.takeover",
            $"Node {_services.NodeId} took over the run from {previous}, whose lease expired in state {_state}; rolling back whatever it may have left.",
            new { previousOwner = _claim.PreviousOwner, node = _services.NodeId, state = _state, token = _claim.Lease.Token },
            lease);
        RequestAbort(AbortCause.LostOwner, $"{previous} stopped renewing its lease while the run was {_state}; node {_services.NodeId} took over, rolled back its faults and closed the run");
        if (_state is "injecting" or "observing")
        {
            await MoveAsync(RunState.RollingBack, "Rolling back the faults of the lost owner.");
        }

        var allRemoved = true;
        foreach (var row in await _journal.OpenFaultsAsync(lease))
        {
            allRemoved &= await ReconcileAsync(row, lease);
        }

        await CloseAsync(Evidence(steadyBefore: true, recovered: false, allRemoved, error: null));
    }

    /// <summary>The secrets this run's probes may use: those of the experiment's own team.</summary>
    private SecretScope Secrets => new(_run.OrganizationId, _run.TeamId);

    private bool IsAborting
    {
        get
        {
            lock (_gate)
            {
                return _abort is not null;
            }
        }
    }

    private async Task RunStepsAsync(IReadOnlyList<MethodStep> steps, string path, ExecutionPlan plan, CancellationToken token)
    {
        for (var i = 0; i < steps.Count; i++)
        {
            var stepPath = $"{path}[{i.ToString(CultureInfo.InvariantCulture)}]";
            switch (steps[i])
            {
                case FaultStep fault:
                    await RunFaultStepAsync(stepPath, fault.Fault, plan, token);
                    break;
                case ParallelStep parallel:
                    await Task.WhenAll(parallel.Branches.Select((branch, b) =>
                        RunStepsAsync(branch, $"{stepPath}.parallel[{b.ToString(CultureInfo.InvariantCulture)}]", plan, token)));
                    break;
                case PauseStep pause:
                    await _journal.AppendAsync("pause", $"Pausing {Durations.Format(pause.Duration)}.", new { path = stepPath, duration = Durations.Format(pause.Duration) }, token);
                    await Task.Delay(pause.Duration, _services.Time, token);
                    break;
            }
        }
    }

    private async Task RunFaultStepAsync(string path, FaultAction fault, ExecutionPlan plan, CancellationToken token)
    {
        var action = plan.Find(path) ?? throw new RunFailedException($"The plan has no entry for {path}.");
        var injector = action.Injector ?? throw new RunFailedException($"No injector named '{fault.Injector}' is loaded on this node.");
        var applied = await Task.WhenAll(action.Targets.Select(target => InjectAsync(path, fault, injector, target, token)));
        if (_state == "injecting")
        {
            await MoveAsync(RunState.Observing, $"{applied.Length} fault(s) of {path} in effect; observing for {Durations.Format(fault.Duration)}.");
        }

        await Task.Delay(fault.Duration, _services.Time, token);
        var spec = ReadSpec(_run.Spec);
        if (!await SampleSteadyStateAsync(spec, ProbePhases.During, token))
        {
            _steadyDuring = false;
        }

        foreach (var fault1 in applied)
        {
            await RollbackAsync(fault1, record: true);
        }
    }

    private async Task<ActiveFault> InjectAsync(string path, FaultAction fault, IInjectorChannel injector, Sdk.Targets.Target target, CancellationToken token)
    {
        var faultId = $"{_run.Id:N}-{Interlocked.Increment(ref _faultSequence).ToString(CultureInfo.InvariantCulture)}";
        var ttl = fault.Duration + _services.Options.FaultGrace;
        var request = new FaultRequest(faultId, _run.Id, target, fault.Parameters, fault.Duration, _services.Time.GetUtcNow() + ttl);
        var claims = injector.Claims(request);
        var conflict = await _journal.IntendAsync(
            new FaultIntent(faultId, path, injector.Name, target.Kind, target.Id, RunPlanner.WriteTarget(target), fault.Parameters.GetRawText(), claims, ttl, injector.Descriptor.Composition.ConflictsWith),
            _keeper.LeaseLost);
        if (conflict is not null)
        {
            throw new RunFailedException(
                $"{target} already carries fault {conflict.Id} ({conflict.Injector}) of run {conflict.RunId} that conflicts with it ({Describe(conflict, claims, injector)}), so this run is refused.");
        }

        await _journal.AppendAsync("fault.intended", $"{injector.Name} on {target}: intent recorded.", new { faultId, path, injector = injector.Name, target = target.ToString(), claims }, _keeper.LeaseLost);

        // Last look before touching the target: never inject once the lease is in doubt or the run is stopping.
        _keeper.LeaseLost.ThrowIfCancellationRequested();
        token.ThrowIfCancellationRequested();
        var started = Stopwatch.GetTimestamp();
        FaultHandle handle;
        try
        {
            handle = await _services.Targets.SendAsync(target.ToString(), () => injector.InjectAsync(request, token), token);
        }
        catch (InjectFailedException failed)
        {
            var cleanup = failed.Cleanup.ToString();
            if (failed.Cleanup.Completed)
            {
                await _journal.MarkRemovedAsync(faultId, $"inject failed; {cleanup}", _keeper.LeaseLost);
            }
            else
            {
                await _journal.MarkFailedAsync(faultId, $"inject failed and its leftovers could not be removed: {cleanup}", _keeper.LeaseLost);
            }

            var why = failed.TimedOut ? "timed out" : "failed";
            await _journal.AppendAsync("fault.inject-failed", $"{injector.Name} on {target}: inject {why}: {failed.InnerException?.Message ?? failed.Message} ({cleanup}).",
                new { faultId, timedOut = failed.TimedOut, error = failed.InnerException?.Message ?? failed.Message, cleanup, ms = Elapsed(started) }, _keeper.LeaseLost);
            token.ThrowIfCancellationRequested();
            throw new RunFailedException($"{injector.Name} inject on {target} {why}: {failed.InnerException?.Message ?? failed.Message} ({cleanup}).", failed);
        }

        EngineTelemetry.FaultsInjected.Add(1, new KeyValuePair<string, object?>("injector", injector.Name));
        var active = new ActiveFault(faultId, injector, handle);
        _active[faultId] = active;
        await _journal.MarkActiveAsync(faultId, handle.ToJson(), handle.InjectedAt, _keeper.LeaseLost);
        await _journal.AppendAsync("fault.injected", $"{injector.Name} injected on {target} in {Elapsed(started)} ms.",
            new { faultId, target = target.ToString(), injector = injector.Name, ms = Elapsed(started), expiresAt = handle.ExpiresAt }, _keeper.LeaseLost);

        started = Stopwatch.GetTimestamp();
        Verification verification;
        try
        {
            verification = await injector.VerifyAsync(handle, token);
        }
        catch (PluginCallException exception)
        {
            verification = Verification.Absent($"verify failed: {exception.Message}");
        }

        await _journal.AppendAsync("fault.verified", $"{injector.Name} on {target}: {(verification.InEffect ? "in effect" : "NOT in effect")}: {verification.Evidence}",
            new { faultId, inEffect = verification.InEffect, evidence = verification.Evidence, ms = Elapsed(started) }, _keeper.LeaseLost);
        if (!verification.InEffect)
        {
            throw new RunFailedException($"{injector.Name} on {target} is not in effect after inject: {verification.Evidence}");
        }

        await _journal.MarkVerifiedAsync(faultId, verification.Evidence, _keeper.LeaseLost);
        Interlocked.Increment(ref _verified);
        return active;
    }

    private async Task<bool> RollbackAllAsync()
    {
        var allRemoved = true;
        foreach (var fault in _active.Values.ToList())
        {
            allRemoved &= await RollbackAsync(fault, record: true);
        }

        return allRemoved;
    }

    // Removes one fault and proves it gone (verify says absent). Never cancelled by an abort; each plugin call
    // is bounded by its own timeout. With record false (lease lost) nothing is written.
    private async Task<bool> RollbackAsync(ActiveFault fault, bool record)
    {
        var lease = record ? _keeper.LeaseLost : CancellationToken.None;

        // The fault comes out whatever the database says: a failed write (lease lost, database down) only means
        // this activation stops recording, and the row left behind is reconciled by the run's next owner.
        if (record && !await TryRecordAsync(() => _journal.MarkRemovingAsync(fault.Id, lease), fault))
        {
            record = false;
        }

        string? lastError = null;
        for (var attempt = 1; attempt <= _services.Options.RollbackAttempts; attempt++)
        {
            var started = Stopwatch.GetTimestamp();
            try
            {
                var (result, check) = await _services.Targets.SendAsync(
                    fault.Handle.Target.ToString(),
                    async () => (await fault.Injector.RollbackAsync(fault.Handle, CancellationToken.None), await fault.Injector.VerifyAsync(fault.Handle, CancellationToken.None)),
                    CancellationToken.None);
                if (check.InEffect)
                {
                    lastError = $"still in effect after rollback attempt {attempt}: {check.Evidence}";
                }
                else
                {
                    _active.TryRemove(fault.Id, out _);
                    EngineTelemetry.FaultsRemoved.Add(1, new KeyValuePair<string, object?>("injector", fault.Injector.Name));
                    var proof = $"{(result.Status == RollbackStatus.Removed ? "removed" : "already absent")}: {result.Evidence}; verified absent: {check.Evidence}";
                    if (record)
                    {
                        await TryRecordAsync(async () =>
                        {
                            await _journal.MarkRemovedAsync(fault.Id, proof, lease);
                            await _journal.AppendAsync("fault.removed", $"{fault.Injector.Name} on {fault.Handle.Target}: {proof}",
                                new { faultId = fault.Id, target = fault.Handle.Target.ToString(), proof, attempt, ms = Elapsed(started) }, lease);
                        }, fault);
                    }

                    return true;
                }
            }
            catch (PluginCallException exception)
            {
                lastError = $"rollback attempt {attempt} failed: {exception.Message}";
            }

            _logger.LogWarning("Run {RunId}: rollback of fault {FaultId} on {Target}: {Error}", RunId, fault.Id, fault.Handle.Target, lastError);
            await Task.Delay(TimeSpan.FromMilliseconds(200 * attempt), _services.Time, CancellationToken.None);
        }

        _logger.LogError("Run {RunId}: fault {FaultId} on {Target} could not be proven removed: {Error}", RunId, fault.Id, fault.Handle.Target, lastError);
        EngineTelemetry.RollbacksFailed.Add(1, new KeyValuePair<string, object?>("injector", fault.Injector.Name));
        if (record)
        {
            await TryRecordAsync(() => _journal.MarkFailedAsync(fault.Id, lastError ?? "rollback failed", lease), fault);
            await _journal.AppendAsync("fault.rollback-failed", $"{fault.Injector.Name} on {fault.Handle.Target}: could not be proven removed: {lastError}. It stays open for reconciliation.",
                new { faultId = fault.Id, error = lastError }, lease);
        }

        return false;
    }

    private async Task<bool> TryRecordAsync(Func<Task> write, ActiveFault fault)
    {
        try
        {
            await write();
            return true;
        }
#pragma warning disable CA1031 // Recording must never stand between a fault and its removal.
        catch (Exception exception) when (exception is not OperationCanceledException || _keeper.IsLost)
#pragma warning restore CA1031
        {
            _logger.LogWarning(exception, "Run {RunId}: could not record the rollback of fault {FaultId}; removing it anyway, its row is reconciled later", RunId, fault.Id);
            return false;
        }
    }

    // A fault row left by a previous owner: roll back by its handle, or, if it never got one (the owner died
    // between intent and inject), by whatever leftovers of this fault id the injector finds on the target.
    private async Task<bool> ReconcileAsync(FaultRecord row, CancellationToken lease)
    {
        var injector = await _services.Router.FindAsync(row.Injector, _run.OrganizationId, lease);
        if (injector is null)
        {
            await _journal.MarkFailedAsync(row.Id, $"the injector {row.Injector} is neither loaded on node {_services.NodeId} nor reported by a connected agent; the fault cannot be removed from here", lease);
            return false;
        }

        if (row.Handle is { } json)
        {
            return await RollbackAsync(new ActiveFault(row.Id, injector, FaultHandle.FromJson(json)), record: true);
        }

        var target = RunPlanner.ReadTarget(row.Target);
        IReadOnlyList<FaultHandle> leftovers;
        try
        {
            leftovers = [.. (await injector.ListLeftoversAsync(target, CancellationToken.None)).Where(handle => handle.FaultId == row.Id)];
        }
        catch (PluginCallException exception)
        {
            await _journal.MarkFailedAsync(row.Id, $"leftover detection failed: {exception.Message}", lease);
            return false;
        }

        if (leftovers.Count == 0)
        {
            var proof = $"never applied: {injector.Name} finds no leftover of fault {row.Id} on {target}";
            await _journal.MarkRemovedAsync(row.Id, proof, lease);
            await _journal.AppendAsync("fault.removed", $"{injector.Name} on {target}: {proof}", new { faultId = row.Id, target = target.ToString(), proof }, lease);
            return true;
        }

        var removed = true;
        foreach (var handle in leftovers)
        {
            removed &= await RollbackAsync(new ActiveFault(row.Id, injector, handle), record: true);
        }

        return removed;
    }

    private async Task<string?> RunRollbackActionsAsync(ExperimentSpec spec, ExecutionPlan plan, CancellationToken lease)
    {
        for (var i = 0; i < spec.Rollbacks.Count; i++)
        {
            var path = $"$.spec.rollbacks[{i.ToString(CultureInfo.InvariantCulture)}]";
            var action = plan.Find(path);
            if (action?.Injector is not { } injector)
            {
                return $"No injector for the rollback action {path}.";
            }

            try
            {
                foreach (var target in action.Targets)
                {
                    var applied = await InjectAsync(path, spec.Rollbacks[i], injector, target, lease);
                    await RollbackAsync(applied, record: true);
                }
            }
            catch (RunFailedException failure)
            {
                return $"The rollback action {path} failed: {failure.Message}";
            }
        }

        return null;
    }

    private async Task WatchAsync(Guardrail guardrail, CancellationToken token)
    {
        try
        {
            while (true)
            {
                await Task.Delay(guardrail.Every, _services.Time, token);
                var reading = await _services.Sampler.SampleAsync(guardrail, Secrets, ProbePhases.During, _baselines.GetValueOrDefault(Key(guardrail)), token);
                await RecordAsync("guardrail.sample", reading, token);
                if (!reading.Held)
                {
                    RequestAbort(AbortCause.Guardrail, $"guardrail '{guardrail.Name}' breached: {reading.Detail}");
                    return;
                }
            }
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
        }
        catch (LeaseLostException)
        {
            _keeper.MarkLost("a guardrail sample could not be recorded");
        }
    }

    // A fault its agent removed on its own (the agent restarted, or lost the control plane past its grace) is gone:
    // the run records it with the agent's evidence and aborts, since the hypothesis is no longer under test.
    private async Task WatchAgentRemovalsAsync(Storage.Agents.AgentStore agents, CancellationToken token)
    {
        try
        {
            while (true)
            {
                await Task.Delay(_services.Options.PollInterval, _services.Time, token);
                foreach (var removal in await agents.PendingSelfRemovalsAsync(RunId, token))
                {
                    var target = _active.TryRemove(removal.FaultId, out var fault) ? fault.Handle.Target.ToString() : "its target";
                    var evidence = $"removed by its agent: {removal.Reason}: {removal.Evidence}";
                    await _journal.MarkRemovedAsync(removal.FaultId, evidence, _keeper.LeaseLost);
                    await _journal.AppendAsync(
                        "fault.removed-by-agent", $"fault {removal.FaultId} on {target}: {evidence}",
                        new { faultId = removal.FaultId, agentId = removal.AgentId, reason = removal.Reason, evidence = removal.Evidence, removedAt = removal.RemovedAt },
                        _keeper.LeaseLost);
                    await agents.MarkSelfRemovalRecordedAsync(removal.FaultId, token);
                    RequestAbort(AbortCause.Agent, $"the agent holding {target} removed fault {removal.FaultId} on its own ({removal.Reason})");
                }
            }
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
        }
        catch (LeaseLostException)
        {
            _keeper.MarkLost("an agent's removal could not be recorded");
        }
    }

    private async Task<bool> SampleSteadyStateAsync(ExperimentSpec spec, string phase, CancellationToken token)
    {
        var held = true;
        foreach (var probe in spec.SteadyState)
        {
            var baseline = phase == ProbePhases.Baseline ? null : _baselines.GetValueOrDefault(probe.Name);
            var reading = await _services.Sampler.SampleAsync(probe, Secrets, phase, baseline, token);
            if (phase == ProbePhases.Baseline && reading.Value is { } value && probe.Tolerance.IsRelative)
            {
                // The baseline is this very sample: relative bounds hold by definition, absolute ones were checked.
                _baselines[probe.Name] = value;
                reading = reading with { Held = AbsoluteHolds(probe.Tolerance, value), Baseline = value };
            }
            else if (phase == ProbePhases.Baseline)
            {
                _baselines[probe.Name] = reading.Value;
            }

            await RecordAsync("probe.sample", reading, token);
            held &= reading.Held;
        }

        return held;
    }

    private async Task<bool> SampleGuardrailBaselinesAsync(ExperimentSpec spec, CancellationToken token)
    {
        var held = true;
        foreach (var guardrail in spec.Guardrails)
        {
            var reading = await _services.Sampler.SampleAsync(guardrail, Secrets, ProbePhases.Baseline, null, token);
            if (reading.Value is { } value && guardrail.Tolerance.IsRelative)
            {
                _baselines[Key(guardrail)] = value;
                reading = reading with { Held = AbsoluteHolds(guardrail.Tolerance, value), Baseline = value };
            }

            await RecordAsync("guardrail.sample", reading, token);
            held &= reading.Held;
        }

        return held;
    }

    // "Recovers within T after rollback": T is the experiment's recovery.within, else the engine's window; the
    // time it took is measured from the last removal and stated in the verdict.
    private async Task<bool> WaitForRecoveryAsync(ExperimentSpec spec, CancellationToken lease)
    {
        var window = spec.Recovery?.Within ?? _services.Options.RecoveryWindow;
        _recoveryWindow = window;
        var started = _services.Time.GetUtcNow();
        var deadline = started + window;
        while (true)
        {
            if (await SampleSteadyStateAsync(spec, ProbePhases.Recovery, lease))
            {
                _recoveredIn = _services.Time.GetUtcNow() - started;
                return true;
            }

            if (_services.Time.GetUtcNow() + _services.Options.RecoveryProbeInterval > deadline)
            {
                return false;
            }

            await Task.Delay(_services.Options.RecoveryProbeInterval, _services.Time, lease);
        }
    }

    private async Task RecordAsync(string type, ProbeReading reading, CancellationToken token)
    {
        lock (_readings)
        {
            _readings.Add(reading);
        }

        await _journal.AppendAsync(type, $"{reading.Name} ({reading.Phase}): {reading.Detail}",
            new
            {
                probe = reading.Name, phase = reading.Phase, value = reading.Value, threshold = reading.Threshold, verdict = reading.Verdict, held = reading.Held,
                providerFailed = reading.ProviderFailed, baseline = reading.Baseline, detail = reading.Detail,
            },
            token);
    }

    private async Task MoveAsync(RunState to, string message)
    {
        var from = RunLifecycle.Parse(_state);
        var next = RunLifecycle.Move(from, to);
        await _journal.MoveAsync(_state, RunLifecycle.Name(next), message, _keeper.LeaseLost);
        _state = RunLifecycle.Name(next);
    }

    private async Task CloseAsync(RunEvidence evidence)
    {
        var verdict = VerdictRules.Decide(evidence);
        List<ProbeReading> readings;
        lock (_readings)
        {
            readings = [.. _readings];
        }

        var data = new
        {
            evidence.SteadyStateHeldBefore,
            evidence.FaultsPlanned,
            evidence.FaultsVerifiedInEffect,
            evidence.SteadyStateHeldDuring,
            evidence.RecoveredAfter,
            evidence.AllFaultsRemoved,
            abortedBy = evidence.AbortedBy?.ToString(),
            evidence.AbortDetail,
            evidence.Error,
            node = _services.NodeId,
            readings = readings.TakeLast(200).Select(r => new { probe = r.Name, phase = r.Phase, value = r.Value, held = r.Held, detail = r.Detail }),
        };
        await _journal.CompleteAsync(
            verdict.Kind.ToString().ToLowerInvariant(), verdict.Reason, verdict.Cause is { } cause ? CauseName(cause) : null, data, _keeper.LeaseLost);
        _state = "completed";
        EngineTelemetry.RunsCompleted.Add(
            1,
            new KeyValuePair<string, object?>("verdict", verdict.Kind.ToString().ToLowerInvariant()),
            new KeyValuePair<string, object?>("abort_cause", verdict.Cause is { } abortCause ? CauseName(abortCause) : "none"));
        _logger.LogInformation("Run {RunId} completed: {Verdict}: {Reason}", RunId, verdict.Kind, verdict.Reason);
    }

    private RunEvidence Evidence(bool steadyBefore, bool recovered, bool allRemoved, string? error)
    {
        (AbortCause Cause, string Reason)? abort;
        lock (_gate)
        {
            abort = _abort;
        }

        return new RunEvidence(
            steadyBefore, _planned, _verified, _steadyDuring, recovered, allRemoved && _active.IsEmpty, abort?.Cause, abort?.Reason is { } reason ? $"Aborted: {reason}." : null, error,
            _recoveryWindow, _recoveredIn);
    }

    private static string Describe(FaultRecord conflict, IReadOnlyList<string> claims, IInjectorChannel injector)
    {
        var shared = conflict.ClaimList.Intersect(claims).ToList();
        return shared.Count > 0
            ? $"both claim {string.Join(", ", shared)}"
            : $"{injector.Name} and {conflict.Injector} declare they never share a target";
    }

    private static bool AbsoluteHolds(Tolerance tolerance, double value) =>
        (tolerance with { MaxIncreasePercent = null, MaxDecreasePercent = null }).Accepts(value);

    private static string Key(Guardrail guardrail) => $"guardrail:{guardrail.Name}";

    private static long Elapsed(long started) => (long)Stopwatch.GetElapsedTime(started).TotalMilliseconds;

    public static ExperimentSpec ReadSpec(string json)
    {
        var errors = new ValidationErrors();
        var node = JsonNode.Parse(json) as JsonObject ?? throw new RunFailedException("The run's spec is not a JSON object.");
        return ExperimentSpecReader.Read(node, errors)
            ?? throw new RunFailedException($"The run's spec no longer reads: {string.Join("; ", errors.ToDictionary().Select(e => $"{e.Key} {string.Join(" ", e.Value)}"))}");
    }

    public static string CauseName(AbortCause cause) => cause switch
    {
        AbortCause.Guardrail => "guardrail",
        AbortCause.User => "user",
        AbortCause.Halt => "halt",
        AbortCause.Agent => "agent",
        _ => "lost-owner",
    };

    public static AbortCause ParseCause(string name) => name switch
    {
        "guardrail" => AbortCause.Guardrail,
        "user" => AbortCause.User,
        "halt" => AbortCause.Halt,
        "agent" => AbortCause.Agent,
        _ => AbortCause.LostOwner,
    };

    private static string Describe(ExecutionPlan plan) =>
        string.Join("; ", plan.Actions.Select(action => $"{action.Path}: {action.Fault.Injector} on {(action.Targets.Count == 0 ? "no target" : string.Join(", ", action.Targets))}"))
        + (plan.Problems.Count > 0 ? $"; {plan.Problems.Count} problem(s)" : "")
        + (plan.Policy.Violations.Count > 0 ? $"; {plan.Policy.Violations.Count} policy violation(s)" : "; policy allows it");

    public static object PlanData(ExecutionPlan plan)
    {
        ArgumentNullException.ThrowIfNull(plan);
        return new
        {
            actions = plan.Actions.Select(action => new
            {
                path = action.Path,
                injector = action.Fault.Injector,
                mode = action.Fault.Mode.Kind.ToString(),
                duration = Durations.Format(action.Fault.Duration),
                candidates = action.Candidates.Count,
                targets = action.Targets.Select(target => new { kind = target.Kind, id = target.Id, labels = target.Labels }),
            }),
            problems = plan.Problems.Select(problem => new { path = problem.Path, message = problem.Message }),
            violations = plan.Policy.Violations.Select(violation => new { rule = violation.Rule, message = violation.Message, path = violation.Path }),
            approvalRequired = plan.Policy.ApprovalRequired,
        };
    }
}
