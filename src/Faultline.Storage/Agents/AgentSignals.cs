using Faultline.Storage.Cluster;

namespace Faultline.Storage.Agents;

/// <summary>This node's two agent channels: new commands (keyed by agent id) and results (keyed by command id).</summary>
public sealed class AgentSignals(ClusterNotifications notifications) : IDisposable
{
    public NotificationSignals Commands { get; } = new(notifications, AgentChannels.Commands);

    public NotificationSignals Results { get; } = new(notifications, AgentChannels.Results);

    public void Dispose()
    {
        Commands.Dispose();
        Results.Dispose();
    }
}
