using System.Diagnostics;
using System.Security.Cryptography;

namespace Faultline.Plugins.Network.Tests.Lab;

/// <summary>
/// What the lab server received on one TCP connection, readable from the client side while it runs: the server
/// lives in this process, so a test learns what arrived without a reply that a fault on the way back could spoil.
/// </summary>
public sealed class StreamTally
{
    private readonly TaskCompletionSource<StreamEnd> _end = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly IncrementalHash? _hash;
    private long _bytes;

    internal StreamTally(bool hash)
    {
        _hash = hash ? IncrementalHash.CreateHash(HashAlgorithmName.SHA256) : null;
    }

    /// <summary>Bytes received so far.</summary>
    public long Bytes => Interlocked.Read(ref _bytes);

    /// <summary>Completes when the connection ends, cleanly or not.</summary>
    public Task<StreamEnd> End => _end.Task;

    internal void Add(ReadOnlySpan<byte> data)
    {
        _hash?.AppendData(data);
        Interlocked.Add(ref _bytes, data.Length);
    }

    internal void Complete()
    {
        var timestamp = Stopwatch.GetTimestamp();
        var sha256 = _hash is null ? null : Convert.ToHexStringLower(_hash.GetHashAndReset());
        _hash?.Dispose();
        _end.TrySetResult(new StreamEnd(timestamp, Bytes, sha256, null));
    }

    internal void Fail(string error)
    {
        _hash?.Dispose();
        _end.TrySetResult(new StreamEnd(Stopwatch.GetTimestamp(), Bytes, null, error));
    }
}
