using Faultline.Domain.Agents;
using Faultline.Sdk.Injection;
using Faultline.Sdk.Targets;

namespace Faultline.Agent;

/// <summary>
/// One fault as the agent's journal holds it: what <see cref="HeldFault"/> reports, plus the moment its grace runs
/// out, so a restarted agent knows how long the control plane has been silent about it.
/// </summary>
public sealed record JournalEntry(
    string FaultId,
    Guid? RunId,
    string Injector,
    Target Target,
    FaultHandle? Handle,
    DateTimeOffset HardExpiry,
    DateTimeOffset GraceUntil)
{
    public HeldFault ToHeldFault() => new(FaultId, RunId, Injector, Target, Handle, HardExpiry);

    public static JournalEntry From(HeldFault fault, DateTimeOffset graceUntil) =>
        new(fault.FaultId, fault.RunId, fault.Injector, fault.Target, fault.Handle, fault.HardExpiry, graceUntil);
}
