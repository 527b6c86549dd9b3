using System.Globalization;

namespace Faultline.Plugins.Network.Tests.Lab;

/// <summary>
/// A bulk transfer from A to the sink in B: bytes handed to the socket, bytes the server really received, and the
/// time from the first send to the server seeing the end of data (or to the failure).
/// </summary>
public sealed record ThroughputResult(TcpOutcome Outcome, long BytesSent, long BytesReceived, TimeSpan Elapsed, string? Error = null)
{
    public bool Completed => Outcome == TcpOutcome.Succeeded;

    /// <summary>Bytes received by B per second of the transfer.</summary>
    public double BytesPerSecond => Elapsed > TimeSpan.Zero ? BytesReceived / Elapsed.TotalSeconds : 0;

    public override string ToString() =>
        string.Create(
            CultureInfo.InvariantCulture,
            $"{Outcome}: {BytesReceived} of {BytesSent} bytes in {Elapsed.TotalSeconds:0.###} s = {BytesPerSecond / 1000:0.#} kB/s{(Error is null ? "" : $" ({Error})")}");
}
