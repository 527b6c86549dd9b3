namespace Faultline.Sdk.Injection;

/// <summary>
/// Optional, on an injector whose abilities depend on the host (kernel modules, tools, privileges): finds out
/// once what this host can do, so the host can report it (in the log at start and at <c>GET /api/v1/plugins</c>)
/// before any experiment asks. The probe must not touch live targets: try things in a scratch place and undo them.
/// Added in contract 1.1.
/// </summary>
public interface IHostCapabilityProbe
{
    ValueTask<HostCapabilityReport> ProbeHostAsync(CancellationToken cancellationToken);
}
