using Faultline.Api.Hosting;
using Faultline.Domain.Tenancy;
using Faultline.Storage.Migrations;
using Faultline.Storage.Tenancy;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;

namespace Faultline.Commands;

/// <summary>
/// Starts one control-plane node: migrate (safe when several nodes start at once), bootstrap the first
/// organization if the database is empty, serve until SIGINT/SIGTERM.
/// </summary>
internal static class NodeRunner
{
    public static async Task<int> RunAsync(FaultlineServerOptions options, CancellationToken cancellationToken)
    {
        await using var app = FaultlineApplication.Build(options);
        await app.Services.GetRequiredService<MigrationRunner>().ApplyAsync(cancellationToken);

        var ownerToken = ApiKeyToken.Create();
        var bootstrap = await app.Services.GetRequiredService<OrganizationStore>().BootstrapAsync(
            "Default", "platform", NewApiKey.From(ownerToken, "bootstrap-admin", Role.Owner, null), cancellationToken);

        try
        {
            await app.StartAsync(cancellationToken);
        }
        catch (IOException exception)
        {
            await Console.Error.WriteLineAsync($"faultline: cannot listen on {string.Join(", ", options.Urls)}: {exception.Message}");
            return 2;
        }

        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault()
            ?? options.Urls[0];
        if (bootstrap is not null)
        {
            PrintBootstrap(bootstrap, ownerToken, address);
        }

        // The engine (membership, runs, schedules) starts once the server listens; wait for it to join.
        var node = app.Services.GetRequiredService<Faultline.Engine.Runs.EngineNode>();
        await node.Started.WaitAsync(TimeSpan.FromSeconds(30), cancellationToken);
        Console.WriteLine($"Faultline is up at {address}  (API {address}/api/v1, docs {address}/docs, metrics {address}/metrics). Ctrl-C stops it.");
        Console.WriteLine($"Node {node.NodeId} joined the cluster.");
        await app.WaitForShutdownAsync(CancellationToken.None);
        return 0;
    }

    private static void PrintBootstrap(BootstrapResult bootstrap, ApiKeyToken token, string address)
    {
        const string rule = "====================================================================================";
        Console.WriteLine(rule);
        Console.WriteLine($" First start: created organization '{bootstrap.Organization.Name}' ({bootstrap.Organization.Id})");
        Console.WriteLine($" and team '{bootstrap.Team.Name}' ({bootstrap.Team.Id}).");
        Console.WriteLine(" Owner API key, shown this once (only its hash is stored):");
        Console.WriteLine();
        Console.WriteLine($"   FAULTLINE_API_KEY={token.Value}");
        Console.WriteLine();
        Console.WriteLine($" Try: curl -H \"Authorization: Bearer {token.Value}\" {address}/api/v1/organization");
        Console.WriteLine(rule);
    }
}
