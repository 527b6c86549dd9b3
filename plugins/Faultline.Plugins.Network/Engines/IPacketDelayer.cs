using Faultline.Plugins.Network.Namespaces;

namespace Faultline.Plugins.Network.Engines;

/// <summary>
/// Holds the packets of one NFQUEUE queue in a namespace for the delay of a fault, in this process. Disposing it
/// lets every held packet go at once. The rules that feed the queue use <c>--queue-bypass</c>, so packets flow
/// unharmed whenever no delayer listens: a dead delayer can never turn a delay into an outage.
/// </summary>
public interface IPacketDelayer
{
    /// <summary>Starts delaying queue <paramref name="queue"/> in <paramref name="ns"/>; throws when the queue is taken.</summary>
    Task<IAsyncDisposable> StartAsync(NetworkNamespace ns, ushort queue, TimeSpan latency, TimeSpan jitter, double correlationPercent, CancellationToken cancellationToken);
}
