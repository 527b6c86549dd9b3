using Faultline.Plugins.Network.Namespaces;
using Faultline.Plugins.Network.NfQueue;
using Faultline.Sdk.Plugins;

namespace Faultline.Plugins.Network.Engines;

/// <summary>The production <see cref="IPacketDelayer"/>: the pure C# NFQUEUE delayer of <see cref="NfQueueDelayer"/>.</summary>
public sealed class NfQueuePacketDelayer(IPluginLog log) : IPacketDelayer
{
    public async Task<IAsyncDisposable> StartAsync(
        NetworkNamespace ns, ushort queue, TimeSpan latency, TimeSpan jitter, double correlationPercent, CancellationToken cancellationToken) =>
        await NfQueueDelayer.StartAsync(ns, queue, new DelayModel(latency, jitter, correlationPercent), log).WaitAsync(cancellationToken);
}
