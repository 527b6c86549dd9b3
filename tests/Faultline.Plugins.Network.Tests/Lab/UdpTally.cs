using System.Diagnostics;

namespace Faultline.Plugins.Network.Tests.Lab;

/// <summary>
/// The datagrams of one UDP probe run as the lab server saw them, by sequence number: distinct ones, duplicates
/// (a sequence number seen again) and late ones (arriving after a higher number, i.e. reordered).
/// </summary>
public sealed class UdpTally
{
    private readonly Lock _lock = new();
    private readonly HashSet<int> _seen = [];
    private int _datagrams;
    private int _duplicates;
    private int _reordered;
    private int _highest = -1;
    private long _lastArrival;

    public UdpTallySnapshot Snapshot()
    {
        lock (_lock)
        {
            return new UdpTallySnapshot(_seen.Count, _datagrams, _duplicates, _reordered, _lastArrival);
        }
    }

    internal void Record(int sequence)
    {
        lock (_lock)
        {
            _datagrams++;
            _lastArrival = Stopwatch.GetTimestamp();
            if (!_seen.Add(sequence))
            {
                _duplicates++;
                return;
            }

            if (sequence < _highest)
            {
                _reordered++;
            }

            _highest = Math.Max(_highest, sequence);
        }
    }
}
