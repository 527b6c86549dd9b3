namespace Faultline.Agent;

/// <summary>The dead-man switch's view of one fault: its journal entry and where its removal stands. Guarded by the switch's lock.</summary>
internal sealed class HeldFaultState(JournalEntry entry)
{
    public JournalEntry Entry { get; set; } = entry;

    /// <summary>The grace last written to the journal; renewals are persisted only when they move it enough.</summary>
    public DateTimeOffset PersistedGraceUntil { get; set; } = entry.GraceUntil;

    /// <summary>Set when the fault must go now whatever its grace (not renewed at session start, agent stopping).</summary>
    public string? ForcedReason { get; set; }

    public Task? Removal { get; set; }

    public int FailedAttempts { get; set; }

    public DateTimeOffset NextAttempt { get; set; } = DateTimeOffset.MinValue;

    public bool IsDue(DateTimeOffset now) =>
        ForcedReason is not null || now >= Entry.GraceUntil || now >= Entry.HardExpiry;

    public string ReasonAt(DateTimeOffset now) =>
        ForcedReason ?? (now >= Entry.HardExpiry
            ? $"hard expiry {Entry.HardExpiry:O} passed"
            : $"no renewal from the control plane: grace ended {Entry.GraceUntil:O}");
}
