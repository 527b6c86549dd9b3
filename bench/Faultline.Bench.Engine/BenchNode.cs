using Faultline.Api.Hosting;
using Faultline.Domain.Tenancy;
using Faultline.Engine.Plugins;
using Faultline.Engine.Runs;
using Faultline.Storage.Migrations;
using Faultline.Storage.Tenancy;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Faultline.Bench.Engine;

/// <summary>
/// One control-plane node in this process, composed by <see cref="FaultlineApplication.Build"/> exactly as in
/// production, on loopback, with the staged plugins loaded. In process so the benchmark can read the
/// dispatcher's own counters (<see cref="RunDispatcher.Completed"/>), which no endpoint exposes.
/// </summary>
internal sealed class BenchNode : IAsyncDisposable
{
    private readonly WebApplication _app;

    private BenchNode(WebApplication app, Uri baseAddress, string ownerKey)
    {
        _app = app;
        BaseAddress = baseAddress;
        OwnerKey = ownerKey;
    }

    public Uri BaseAddress { get; }

    /// <summary>Owner key of the bootstrapped organization.</summary>
    public string OwnerKey { get; }

    public RunDispatcher Dispatcher => _app.Services.GetRequiredService<RunDispatcher>();

    public static async Task<BenchNode> StartAsync(string connectionString, string pluginPath, string stateRoot, EngineOptions engine, CancellationToken cancellationToken)
    {
        var app = FaultlineApplication.Build(new FaultlineServerOptions
        {
            ConnectionString = connectionString,
            Urls = ["http://127.0.0.1:0"],
            SecretsKey = Faultline.Storage.Secrets.MasterKey.Generate(),

            // Hundreds of runs are started in a burst: the limiter must never be what the figure measures.
            RateLimit = new RateLimitOptions { PermitsPerSecond = 1_000_000, Burst = 1_000_000 },
            // Only warnings and errors: a run logs at Information at every step, which would measure the console.
            MinimumLogLevel = LogLevel.Warning,
            LogFormat = "text",
            Plugins = new PluginHostOptions { SearchPaths = [pluginPath], StateRoot = stateRoot },
            Engine = engine,
        });
        try
        {
            await app.Services.GetRequiredService<MigrationRunner>().ApplyAsync(cancellationToken);
            var token = ApiKeyToken.Create();
            _ = await app.Services.GetRequiredService<OrganizationStore>()
                    .BootstrapAsync("Bench", "platform", NewApiKey.From(token, "bench-owner", Role.Owner, null), cancellationToken)
                ?? throw new InvalidOperationException("The fresh benchmark database was already bootstrapped.");

            await app.StartAsync(cancellationToken);
            var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault()
                ?? throw new InvalidOperationException("The node reported no listening address.");

            // The engine starts once the server listens; a run created before it joins would only wait, but the
            // first figure would then include the node's own start.
            await app.Services.GetRequiredService<EngineNode>().Started.WaitAsync(TimeSpan.FromSeconds(30), cancellationToken);
            return new BenchNode(app, new Uri(address), token.Value);
        }
        catch
        {
            await app.DisposeAsync();
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        // Stopping rolls back and closes whatever runs are still open, so no marker outlives the benchmark.
        await _app.StopAsync(CancellationToken.None);
        await _app.DisposeAsync();
    }
}
