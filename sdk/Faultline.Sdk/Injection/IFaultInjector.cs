using Faultline.Sdk.Targets;
using Faultline.Sdk.Validation;

namespace Faultline.Sdk.Injection;

/// <summary>
/// A kind of fault, keyed by <see cref="Name"/> (<c>network.delay</c>, <c>process.pause</c>). The host calls
/// every method with a timeout and a cancellation token; an inject that fails or hangs is followed by a
/// leftover scan and rollback of whatever carries its fault id.
/// Contract (checked by Faultline.Sdk.Testing): inject then verify is in effect; rollback then verify is
/// absent; rollback is idempotent; rollback works from a deserialized handle in a fresh process; every
/// artifact is found by <see cref="ListLeftoversAsync"/> until rolled back.
/// </summary>
public interface IFaultInjector
{
    string Name { get; }

    InjectorDescriptor Descriptor { get; }

    /// <summary>Checks parameters and target without touching anything. Must agree with the schema.</summary>
    ValueTask<ValidationResult> ValidateAsync(FaultRequest request, CancellationToken cancellationToken);

    /// <summary>The resources this fault takes on its target; the engine serializes faults that share one.</summary>
    IReadOnlyList<string> Claims(FaultRequest request) => [$"{Name}:{request.Target.Kind}/{request.Target.Id}"];

    /// <summary>Applies the fault and returns the handle that removes it.</summary>
    ValueTask<FaultHandle> InjectAsync(FaultRequest request, CancellationToken cancellationToken);

    /// <summary>Measures whether the fault is in effect now.</summary>
    ValueTask<Verification> VerifyAsync(FaultHandle handle, CancellationToken cancellationToken);

    /// <summary>Removes the fault. Idempotent: a second call, or a call for a fault never applied, is AlreadyAbsent.</summary>
    ValueTask<RollbackResult> RollbackAsync(FaultHandle handle, CancellationToken cancellationToken);

    /// <summary>Every fault of this injector still present on the target, as handles that roll them back.</summary>
    ValueTask<IReadOnlyList<FaultHandle>> ListLeftoversAsync(Target target, CancellationToken cancellationToken);
}
