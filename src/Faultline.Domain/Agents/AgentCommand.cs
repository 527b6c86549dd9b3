using Faultline.Sdk.Injection;
using Faultline.Sdk.Targets;

namespace Faultline.Domain.Agents;

/// <summary>
/// One command. Inject carries the <see cref="Request"/> (its ExpiresAt is the hard expiry); verify and rollback
/// carry the <see cref="Handle"/>; validate and list-leftovers carry the request or the target.
/// </summary>
public sealed record AgentCommand(
    Guid Id,
    AgentCommandKind Kind,
    string Injector,
    Target Target,
    FaultRequest? Request,
    FaultHandle? Handle);
