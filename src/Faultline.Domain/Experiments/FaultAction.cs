using System.Text.Json;

namespace Faultline.Domain.Experiments;

/// <summary>
/// A fault: the injector (<c>network.delay</c>), its parameters (checked against the injector's schema),
/// which targets and how many of them, and for how long.
/// </summary>
public sealed record FaultAction(string Injector, JsonElement Parameters, TargetSelector Selector, SelectionMode Mode, TimeSpan Duration);
