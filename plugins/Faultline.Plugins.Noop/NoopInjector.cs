using System.Text.Json;
using Faultline.Sdk.Injection;
using Faultline.Sdk.Targets;
using Faultline.Sdk.Validation;

namespace Faultline.Plugins.Noop;

/// <summary>
/// <c>noop</c>: a fault that changes nothing on the system but is tracked like a real one, so the engine, the
/// API and the CLI can be tested end to end without privileges. The fault is its marker file in the plugin's
/// state directory: inject writes it first, verify looks for it, rollback deletes it, leftover detection lists
/// it. Parameters provoke failures on purpose: <c>failInject</c> throws after the marker is written (the host's
/// leftover rollback must remove it), <c>injectDelay</c> holds inject (to outlast a deadline or be cancelled),
/// <c>failVerify</c> makes verify report the fault absent.
/// The marker has no expiry of its own: there is nothing to undo, and a marker that stays until rollback is what
/// lets a test see whether the engine really rolled the fault back.
/// </summary>
public sealed class NoopInjector(string stateDirectory) : IFaultInjector
{
    public const string InjectorName = "noop";

    /// <summary>The kind of target that exists only for noop faults, for tests that need no real system at all.</summary>
    public const string NoopTargetKind = "noop";

    /// <summary>Every kind Faultline's own plugins act on, so a noop can stand in for any of their faults.</summary>
    public static IReadOnlyList<string> SupportedTargetKinds { get; } =
    [
        TargetKinds.Host,
        TargetKinds.Process,
        TargetKinds.Pod,
        TargetKinds.Container,
        TargetKinds.NetworkInterface,
        TargetKinds.Directory,
        TargetKinds.Redis,
        NoopTargetKind,
    ];

    public string Name => InjectorName;

    public InjectorDescriptor Descriptor { get; } = new(
        InjectorName,
        "A fault that changes nothing but is fully tracked (marker file, verify, rollback, leftovers); its parameters make inject or verify fail on purpose.",
        NoopParameters.Schema,
        SupportedTargetKinds,
        HostRequirements.None,
        FaultComposition.ByClaims);

    public ValueTask<ValidationResult> ValidateAsync(FaultRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var errors = new List<ParameterError>();
        _ = NoopParameters.Parse(request.Parameters, errors);
        CheckTarget(request, errors);
        return ValueTask.FromResult(new ValidationResult(errors));
    }

    public async ValueTask<FaultHandle> InjectAsync(FaultRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);

        // Inject never trusts that validation ran: an invalid request is refused before anything is written.
        var errors = new List<ParameterError>();
        var parameters = NoopParameters.Parse(request.Parameters, errors);
        CheckTarget(request, errors);
        if (errors.Count > 0)
        {
            throw new ArgumentException($"Invalid {InjectorName} request: {string.Join("; ", errors.Select(e => $"{e.Path} {e.Message}"))}", nameof(request));
        }

        cancellationToken.ThrowIfCancellationRequested();

        // Intent first, as a real fault must: from here on leftover detection finds this fault whatever follows.
        var marker = new NoopMarker(
            request.FaultId, request.RunId, request.Target.Kind, request.Target.Id, parameters.FailVerify, DateTimeOffset.UtcNow, request.ExpiresAt);
        marker.Save(stateDirectory);

        // A cancelled or timed-out delay leaves the marker behind on purpose: that is the half-applied fault the
        // host's leftover rollback has to find.
        if (parameters.InjectDelay > TimeSpan.Zero)
        {
            await Task.Delay(parameters.InjectDelay, cancellationToken);
        }

        if (parameters.FailInject)
        {
            throw new InvalidOperationException(
                $"noop inject forced to fail (failInject); marker {NoopMarker.PathFor(stateDirectory, request.FaultId)} is left for the leftover rollback.");
        }

        return ToHandle(marker, request.Target);
    }

    public ValueTask<Verification> VerifyAsync(FaultHandle handle, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(handle);
        var path = NoopMarker.PathFor(stateDirectory, handle.FaultId);
        var marker = NoopMarker.Read(stateDirectory, handle.FaultId);
        if (marker is null || !marker.IsOn(handle.Target.Kind, handle.Target.Id))
        {
            return ValueTask.FromResult(Verification.Absent($"no marker of fault {handle.FaultId} on {handle.Target} at {path}"));
        }

        if (FailVerify(handle, marker))
        {
            return ValueTask.FromResult(Verification.Absent($"verify forced to fail (failVerify); marker {path} is present"));
        }

        return ValueTask.FromResult(Verification.Active($"marker {path} present for {handle.Target}, expires {marker.ExpiresAt:O}"));
    }

    public ValueTask<RollbackResult> RollbackAsync(FaultHandle handle, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(handle);

        // Everything is recomputed from the fault id and the target: the rollback may run in a fresh process.
        var path = NoopMarker.PathFor(stateDirectory, handle.FaultId);
        var marker = NoopMarker.Read(stateDirectory, handle.FaultId);
        if (marker is null)
        {
            return ValueTask.FromResult(RollbackResult.AlreadyAbsent($"no marker of fault {handle.FaultId} at {path}"));
        }

        // Touch nothing outside the target: a marker of this id on another target is not this handle's fault.
        if (!marker.IsOn(handle.Target.Kind, handle.Target.Id))
        {
            return ValueTask.FromResult(RollbackResult.AlreadyAbsent(
                $"the marker of fault {handle.FaultId} names {marker.TargetKind}/{marker.TargetId}, not {handle.Target}; left in place"));
        }

        File.Delete(path);

        // Verified: Removed only once the marker is seen gone.
        return File.Exists(path)
            ? throw new IOException($"{path} still exists after it was deleted.")
            : ValueTask.FromResult(RollbackResult.Removed($"deleted marker {path}"));
    }

    public ValueTask<IReadOnlyList<FaultHandle>> ListLeftoversAsync(Target target, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(target);
        IReadOnlyList<FaultHandle> leftovers = NoopMarker.All(stateDirectory)
            .Where(marker => marker.IsOn(target.Kind, target.Id))
            .Select(marker => ToHandle(marker, target))
            .ToList();
        return ValueTask.FromResult(leftovers);
    }

    private static void CheckTarget(FaultRequest request, List<ParameterError> errors)
    {
        if (!SupportedTargetKinds.Contains(request.Target.Kind, StringComparer.Ordinal))
        {
            errors.Add(new ParameterError("target.kind", $"{InjectorName} acts on {string.Join(", ", SupportedTargetKinds)} targets, not '{request.Target.Kind}'."));
        }

        if (string.IsNullOrWhiteSpace(request.Target.Id))
        {
            errors.Add(new ParameterError("target.id", "must not be empty."));
        }

        if (!NoopMarker.IsSafeFaultId(request.FaultId))
        {
            errors.Add(new ParameterError("faultId", "becomes part of a file name: use 1 to 200 letters, digits, '-', '_' or '.', not starting with '.'."));
        }
    }

    /// <summary>The handle says what the engine asked for; a leftover's handle carries what its marker recorded.</summary>
    private static bool FailVerify(FaultHandle handle, NoopMarker marker) =>
        handle.State.ValueKind == JsonValueKind.Object && handle.State.TryGetProperty("failVerify", out var flag) && flag.ValueKind is JsonValueKind.True or JsonValueKind.False
            ? flag.GetBoolean()
            : marker.FailVerify;

    private static FaultHandle ToHandle(NoopMarker marker, Target target) => new(
        InjectorName,
        marker.FaultId,
        target,
        JsonSerializer.SerializeToElement(new Dictionary<string, object> { ["failVerify"] = marker.FailVerify }),
        marker.InjectedAt,
        marker.ExpiresAt);
}
