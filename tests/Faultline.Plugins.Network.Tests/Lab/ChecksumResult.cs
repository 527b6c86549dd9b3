using System.Globalization;

namespace Faultline.Plugins.Network.Tests.Lab;

/// <summary>
/// A transfer of random bytes whose SHA-256 the server in B computed over what it received: a mismatch with the
/// sent digest means the data was altered on the way (a corruption the TCP checksum did not catch).
/// </summary>
public sealed record ChecksumResult(TcpOutcome Outcome, long BytesSent, long BytesReceived, string SentSha256, string? ReceivedSha256, string? Error = null)
{
    public bool Completed => Outcome == TcpOutcome.Succeeded;

    /// <summary>Everything arrived and its digest equals the sent one.</summary>
    public bool Matches => Completed && BytesReceived == BytesSent && string.Equals(SentSha256, ReceivedSha256, StringComparison.Ordinal);

    public override string ToString() =>
        string.Create(
            CultureInfo.InvariantCulture,
            $"{Outcome}: {BytesReceived} of {BytesSent} bytes, sha256 sent {SentSha256[..12]}…, received {ReceivedSha256?[..12] ?? "none"}…, {(Matches ? "match" : "MISMATCH")}{(Error is null ? "" : $" ({Error})")}");
}
