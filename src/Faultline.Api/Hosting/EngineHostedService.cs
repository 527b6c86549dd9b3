using Faultline.Engine.Plugins;
using Faultline.Engine.Runs;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;

namespace Faultline.Api.Hosting;

/// <summary>
/// Starts this node's engine once the server listens (the cluster records the node's real address, port 0
/// resolved) and stops it on shutdown, which rolls back and closes the runs it drives before the process exits.
/// </summary>
internal sealed class EngineHostedService(IServiceProvider services, IHostApplicationLifetime lifetime, ILogger<EngineHostedService> logger) : IHostedService
{
    private readonly TaskCompletionSource<EngineNode?> _node = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public Task StartAsync(CancellationToken cancellationToken)
    {
        lifetime.ApplicationStarted.Register(() =>
        {
            _ = ProbeHostAsync();
            _ = StartNodeAsync();
        });
        return Task.CompletedTask;
    }

    /// <summary>Beside the node's start, not before it: a slow probe must not delay the takeover of orphaned runs.</summary>
    private async Task ProbeHostAsync()
    {
        try
        {
            await services.GetRequiredService<HostCapabilityRegistry>().ProbeAsync(lifetime.ApplicationStopping);
        }
        catch (OperationCanceledException) when (lifetime.ApplicationStopping.IsCancellationRequested)
        {
            // Stopping before the probe finished: nothing to report.
        }
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        _node.TrySetResult(null);
        if (await _node.Task is { } node)
        {
            await node.StopAsync(CancellationToken.None);
        }
    }

    private async Task StartNodeAsync()
    {
        try
        {
            var node = services.GetRequiredService<EngineNode>();
            await node.StartAsync(lifetime.ApplicationStopping);
            if (!_node.TrySetResult(node))
            {
                await node.StopAsync(CancellationToken.None);
            }
        }
#pragma warning disable CA1031 // Logged and reported: the API keeps serving, and /api/v1/cluster/nodes shows the node missing.
        catch (Exception exception)
#pragma warning restore CA1031
        {
            logger.LogError(exception, "The engine of this node could not start");
            _node.TrySetResult(null);
        }
    }

    public static string AddressOf(IServiceProvider services, FaultlineServerOptions options) =>
        services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault() ?? options.Urls[0];
}
