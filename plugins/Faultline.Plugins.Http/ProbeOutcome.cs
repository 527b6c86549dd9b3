namespace Faultline.Plugins.Http;

/// <summary>
/// What one request of a probe came to. <see cref="Status"/> is null when no response arrived (refused, reset,
/// timed out before the headers); <see cref="Latency"/> runs until the body was read or the request failed, so a
/// timed-out request counts with its full timeout and slowness is never hidden.
/// </summary>
internal sealed record ProbeOutcome(int? Status, TimeSpan Latency, bool Succeeded, string? Failure);
