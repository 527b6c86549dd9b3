using Faultline.Sdk.Injection;
using Faultline.Sdk.Targets;
using Faultline.Sdk.Validation;

namespace Faultline.Engine.Plugins;

/// <summary>
/// How the engine reaches an injector: in this process (<see cref="GuardedInjector"/>) or on the agent that holds
/// the target (<see cref="Agents.RoutedInjector"/>). Both keep the same promises: every call has a deadline,
/// failures come out as <see cref="PluginCallException"/>, and a failed inject is followed by a leftover cleanup
/// reported in <see cref="InjectFailedException"/>.
/// </summary>
public interface IInjectorChannel
{
    string Name { get; }

    InjectorDescriptor Descriptor { get; }

    Task<ValidationResult> ValidateAsync(FaultRequest request, CancellationToken cancellationToken);

    IReadOnlyList<string> Claims(FaultRequest request);

    Task<FaultHandle> InjectAsync(FaultRequest request, CancellationToken cancellationToken);

    Task<Verification> VerifyAsync(FaultHandle handle, CancellationToken cancellationToken);

    Task<RollbackResult> RollbackAsync(FaultHandle handle, CancellationToken cancellationToken);

    Task<IReadOnlyList<FaultHandle>> ListLeftoversAsync(Target target, CancellationToken cancellationToken);
}
