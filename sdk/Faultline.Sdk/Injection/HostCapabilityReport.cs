namespace Faultline.Sdk.Injection;

/// <summary>
/// What one host can do for an injector: named features that work or do not (<c>netem</c>, <c>tbf</c>), and the
/// evidence of each probe in words (the command tried and what the kernel answered), so a "no" explains itself.
/// </summary>
public sealed record HostCapabilityReport(IReadOnlyDictionary<string, bool> Features, IReadOnlyList<string> Evidence);
