using Faultline.Sdk.Injection;
using Faultline.Sdk.Targets;

namespace Faultline.Domain.Agents;

/// <summary>
/// A fault the agent holds on its host: from its journal (with the handle once inject returned) or found by an
/// injector's leftover listing. <see cref="HardExpiry"/> is the fault's own deadline, never extended.
/// </summary>
public sealed record HeldFault(string FaultId, Guid? RunId, string Injector, Target Target, FaultHandle? Handle, DateTimeOffset HardExpiry);
