using Faultline.Sdk.Injection;
using Faultline.Sdk.Validation;

namespace Faultline.Domain.Agents;

/// <summary>
/// The result of one command: <see cref="Error"/> when the injector failed or refused (the message is the
/// plugin's), otherwise the part that matches the command's kind.
/// </summary>
public sealed record CommandResult(
    Guid CommandId,
    string? Error,
    IReadOnlyList<ParameterError>? Validation,
    IReadOnlyList<string>? Claims,
    FaultHandle? Handle,
    Verification? Verification,
    RollbackResult? Rollback,
    IReadOnlyList<FaultHandle>? Leftovers);
