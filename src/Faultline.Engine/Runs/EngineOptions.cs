namespace Faultline.Engine.Runs;

/// <summary>How a node drives runs. The defaults suit production; tests shorten the lease and the poll.</summary>
public sealed record EngineOptions
{
    /// <summary>Whether this node claims and drives runs at all (an API-only node does not).</summary>
    public bool Enabled { get; init; } = true;

    /// <summary>A run's lease: another node takes the run over at most this long after its owner stops renewing.</summary>
    public TimeSpan LeaseTtl { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>The most runs this node drives at once; more wait for another node or a free slot.</summary>
    public int MaxConcurrentRuns { get; init; } = 50;

    /// <summary>
    /// How often the node looks for work, expired leases and stop requests without being woken. LISTEN/NOTIFY
    /// wakes it at once; this bounds the delay when a notification is lost (and the takeover delay past the TTL).
    /// </summary>
    public TimeSpan PollInterval { get; init; } = TimeSpan.FromMilliseconds(500);

    /// <summary>How long after rollback the steady state may take to come back before the run counts as not recovered.</summary>
    public TimeSpan RecoveryWindow { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>How often steady-state probes are retried while waiting for recovery.</summary>
    public TimeSpan RecoveryProbeInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// Added to a fault's duration to form its TTL (the expiry handed to the injector and stored on the fault
    /// row): long enough for a normal rollback, short enough that a fault outlives no one for long.
    /// </summary>
    public TimeSpan FaultGrace { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Attempts at a rollback before the fault is marked failed and left for an operator.</summary>
    public int RollbackAttempts { get; init; } = 3;

    /// <summary>On a graceful stop, how long the node waits for its runs to roll back and close.</summary>
    public TimeSpan ShutdownTimeout { get; init; } = TimeSpan.FromSeconds(30);
}
