using System.Collections.Concurrent;
using Faultline.Domain.Agents;
using Microsoft.Extensions.Logging;

namespace Faultline.Agent;

/// <summary>
/// Every fault the agent holds carries a grace (extended by each renewal from the control plane, never past the
/// fault's hard expiry). A watchdog removes each fault whose grace or hard expiry has passed, retrying until the
/// removal is proven, and keeps a <see cref="SelfRemoval"/> for the next successful poll. Nothing here waits on
/// the control plane: a partitioned or crashed control plane is exactly when this has to work.
/// </summary>
public sealed class DeadManSwitch
{
    private static readonly TimeSpan MaxRetryDelay = TimeSpan.FromSeconds(5);

    private readonly Lock _lock = new();
    private readonly Dictionary<string, HeldFaultState> _held = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<SelfRemoval> _selfRemovals = new();
    private readonly AgentJournal _journal;
    private readonly FaultRemover _remover;
    private readonly TargetLanes _lanes;
    private readonly TimeProvider _time;
    private readonly TimeSpan _interval;
    private readonly ILogger _logger;

    public DeadManSwitch(AgentJournal journal, FaultRemover remover, TargetLanes lanes, TimeProvider time, TimeSpan interval, ILogger logger)
    {
        _journal = journal;
        _remover = remover;
        _lanes = lanes;
        _time = time;
        _interval = interval;
        _logger = logger;
    }

    /// <summary>How far a renewal must move the grace before it is written to the journal again.</summary>
    public TimeSpan PersistThreshold { get; set; } = TimeSpan.FromSeconds(1);

    public IReadOnlyList<string> HeldFaultIds
    {
        get
        {
            lock (_lock)
            {
                return [.. _held.Keys];
            }
        }
    }

    public IReadOnlyList<JournalEntry> Entries
    {
        get
        {
            lock (_lock)
            {
                return [.. _held.Values.Select(s => s.Entry)];
            }
        }
    }

    public JournalEntry? Find(string faultId)
    {
        lock (_lock)
        {
            return _held.GetValueOrDefault(faultId)?.Entry;
        }
    }

    /// <summary>Holds a fault (new or updated, e.g. once inject returned its handle). The caller journals it first.</summary>
    public void Hold(JournalEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        lock (_lock)
        {
            if (_held.TryGetValue(entry.FaultId, out var state))
            {
                state.Entry = entry;
                state.PersistedGraceUntil = entry.GraceUntil;
            }
            else
            {
                _held[entry.FaultId] = new HeldFaultState(entry);
            }
        }
    }

    /// <summary>Stops holding a fault whose removal was proven elsewhere (a rollback command).</summary>
    public void Release(string faultId)
    {
        lock (_lock)
        {
            _held.Remove(faultId);
        }
    }

    /// <summary>A renewal from the control plane: the fault may stay until <paramref name="graceUntil"/>, never past its hard expiry.</summary>
    public bool Renew(string faultId, DateTimeOffset graceUntil)
    {
        JournalEntry? persist = null;
        lock (_lock)
        {
            if (!_held.TryGetValue(faultId, out var state) || state.ForcedReason is not null || state.Removal is not null)
            {
                return false;
            }

            var until = graceUntil < state.Entry.HardExpiry ? graceUntil : state.Entry.HardExpiry;
            if (until <= state.Entry.GraceUntil)
            {
                return true;
            }

            state.Entry = state.Entry with { GraceUntil = until };
            if (until - state.PersistedGraceUntil >= PersistThreshold)
            {
                // A restarted agent reads the grace from the journal, so it must not lag far behind the renewals.
                state.PersistedGraceUntil = until;
                persist = state.Entry;
            }
        }

        if (persist is not null)
        {
            TryPersist(persist);
        }

        return true;
    }

    /// <summary>Removes the named faults now, whatever their grace, and waits for one attempt at each.</summary>
    public async Task RemoveNowAsync(IEnumerable<string> faultIds, string reason)
    {
        lock (_lock)
        {
            foreach (var id in faultIds)
            {
                if (_held.TryGetValue(id, out var state))
                {
                    state.ForcedReason ??= reason;
                    state.NextAttempt = DateTimeOffset.MinValue;
                }
            }
        }

        await Task.WhenAll(Sweep());
    }

    /// <summary>Removes everything held, retrying until all are gone or <paramref name="timeout"/> passes; true when none is left.</summary>
    public async Task<bool> RemoveAllAsync(string reason, TimeSpan timeout)
    {
        var deadline = _time.GetUtcNow() + timeout;
        await RemoveNowAsync(HeldFaultIds, reason);
        while (HeldFaultIds.Count > 0 && _time.GetUtcNow() < deadline)
        {
            await Task.Delay(_interval, _time);
            await Task.WhenAll(Sweep());
        }

        return HeldFaultIds.Count == 0;
    }

    /// <summary>The self-removals not yet reported; <see cref="Requeue"/> puts them back when the report did not get through.</summary>
    public IReadOnlyList<SelfRemoval> TakeSelfRemovals()
    {
        var taken = new List<SelfRemoval>();
        while (_selfRemovals.TryDequeue(out var removal))
        {
            taken.Add(removal);
        }

        return taken;
    }

    public void Requeue(IEnumerable<SelfRemoval> removals)
    {
        ArgumentNullException.ThrowIfNull(removals);
        foreach (var removal in removals)
        {
            _selfRemovals.Enqueue(removal);
        }
    }

    /// <summary>The watchdog: until <paramref name="cancellationToken"/> is cancelled, removes every fault that is due.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(_interval, _time);
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken))
            {
                Sweep();
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
    }

    /// <summary>Starts the removal of each due fault not already being removed; returns every removal in flight.</summary>
    private List<Task> Sweep()
    {
        var now = _time.GetUtcNow();
        var removals = new List<Task>();
        lock (_lock)
        {
            foreach (var state in _held.Values)
            {
                if (state.Removal is null && state.IsDue(now) && now >= state.NextAttempt)
                {
                    state.Removal = RemoveAsync(state, state.ReasonAt(now));
                }

                if (state.Removal is { } removal)
                {
                    removals.Add(removal);
                }
            }
        }

        return removals;
    }

    private async Task RemoveAsync(HeldFaultState state, string reason)
    {
        // Off the lock and off the caller's thread: a slow plugin must hold up neither the sweep nor other faults.
        await Task.Yield();
        var entry = state.Entry;
        try
        {
            // The target's lane: an inject or rollback of this target in progress finishes first.
            var evidence = await _lanes.RunAsync(entry.Target, async () =>
            {
                lock (_lock)
                {
                    if (!_held.TryGetValue(entry.FaultId, out var current) || current != state)
                    {
                        return null;
                    }

                    entry = current.Entry;
                }

                return await _remover.RemoveAsync(entry, CancellationToken.None);
            }, CancellationToken.None);
            if (evidence is null)
            {
                return;
            }

            _journal.Delete(entry.FaultId);
            lock (_lock)
            {
                _held.Remove(entry.FaultId);
            }

            _selfRemovals.Enqueue(new SelfRemoval(entry.FaultId, reason, evidence, _time.GetUtcNow()));
            _logger.LogWarning("Removed fault {FaultId} ({Injector} on {Target}) on its own: {Reason}; {Evidence}", entry.FaultId, entry.Injector, entry.Target, reason, evidence);
        }
#pragma warning disable CA1031 // Whatever the plugin throws, the fault stays held and the removal is tried again.
        catch (Exception exception)
#pragma warning restore CA1031
        {
            lock (_lock)
            {
                state.FailedAttempts++;
                var delay = TimeSpan.FromTicks(Math.Min(MaxRetryDelay.Ticks, _interval.Ticks << Math.Min(state.FailedAttempts, 10)));
                state.NextAttempt = _time.GetUtcNow() + delay;
            }

            _logger.LogError(exception, "Could not remove fault {FaultId} ({Injector} on {Target}) after {Reason}; attempt {Attempt} failed, retrying", entry.FaultId, entry.Injector, entry.Target, reason, state.FailedAttempts);
        }
        finally
        {
            lock (_lock)
            {
                state.Removal = null;
            }
        }
    }

    private void TryPersist(JournalEntry entry)
    {
        try
        {
            _journal.Write(entry);
        }
        catch (IOException exception)
        {
            // The fault stays held in memory; only a restart would see an older grace, which removes it sooner.
            _logger.LogError(exception, "Could not write the renewed grace of fault {FaultId} to the journal", entry.FaultId);
        }
    }
}
