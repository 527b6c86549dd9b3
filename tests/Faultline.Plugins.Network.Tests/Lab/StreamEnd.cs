namespace Faultline.Plugins.Network.Tests.Lab;

/// <summary>
/// How a stream into the lab server ended: at the sender's end of data (clean) or with an error (reset, server
/// stopped), when (a <see cref="System.Diagnostics.Stopwatch"/> timestamp), how many bytes had arrived, and their
/// SHA-256 for the checksum service.
/// </summary>
public sealed record StreamEnd(long Timestamp, long Bytes, string? Sha256, string? Error)
{
    public bool Clean => Error is null;
}
