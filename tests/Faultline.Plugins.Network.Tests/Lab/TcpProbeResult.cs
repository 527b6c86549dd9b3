using System.Globalization;

namespace Faultline.Plugins.Network.Tests.Lab;

/// <summary>A series of TCP attempts (connects or request/response exchanges) with the latency of those that succeeded.</summary>
public sealed class TcpProbeResult
{
    public TcpProbeResult(IReadOnlyList<TcpAttempt> attempts)
    {
        ArgumentNullException.ThrowIfNull(attempts);
        Attempts = attempts;
        Samples = new LatencySamples(attempts.Where(attempt => attempt.Succeeded).Select(attempt => attempt.Elapsed));
    }

    public IReadOnlyList<TcpAttempt> Attempts { get; }

    /// <summary>The times of the successful attempts.</summary>
    public LatencySamples Samples { get; }

    public int Succeeded => Attempts.Count(attempt => attempt.Succeeded);

    public int Failed => Attempts.Count - Succeeded;

    public int Count(TcpOutcome outcome) => Attempts.Count(attempt => attempt.Outcome == outcome);

    public bool AllSucceeded => Attempts.Count > 0 && Attempts.All(attempt => attempt.Succeeded);

    /// <summary>Every attempt found the path cut (timeouts, unreachables, local refusals): what a partition looks like.</summary>
    public bool AllBlocked => Attempts.Count > 0 && Attempts.All(attempt => attempt.Blocked);

    public double FailureRatio => Attempts.Count == 0 ? 0 : (double)Failed / Attempts.Count;

    public override string ToString()
    {
        var outcomes = Attempts.GroupBy(attempt => attempt.Outcome).Select(group => $"{group.Key} {group.Count()}");
        var firstError = Attempts.FirstOrDefault(attempt => attempt.Error is not null)?.Error;
        return string.Create(
            CultureInfo.InvariantCulture,
            $"{Attempts.Count} attempts: {string.Join(", ", outcomes)}; times {Samples}{(firstError is null ? "" : $"; first error: {firstError}")}");
    }
}
