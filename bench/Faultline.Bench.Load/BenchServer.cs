using Faultline.Api.Hosting;
using Faultline.Domain.Tenancy;
using Faultline.Storage.Embedded;
using Faultline.Storage.Migrations;
using Faultline.Storage.Tenancy;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Faultline.Bench.Load;

/// <summary>
/// The system under test: a throwaway embedded PostgreSQL in a temp directory and a control-plane node
/// composed by <see cref="FaultlineApplication.Build"/> exactly as in production, listening on loopback.
/// Disposing stops both and deletes the directory, whatever state startup reached.
/// </summary>
internal sealed class BenchServer : IAsyncDisposable
{
    private readonly string _root;
    private EmbeddedPostgres? _postgres;
    private WebApplication? _app;

    private BenchServer(string root) => _root = root;

    public Uri BaseAddress { get; private set; } = null!;

    /// <summary>PostgreSQL's main process, to account for the CPU the database spends; null if unknown.</summary>
    public int? PostmasterPid { get; private set; }

    /// <summary>Owner key of the bootstrapped organization.</summary>
    public string OwnerKey { get; private set; } = "";

    public static async Task<BenchServer> StartAsync(CancellationToken cancellationToken)
    {
        var server = new BenchServer(Path.Combine(Path.GetTempPath(), $"faultline-bench-{Environment.ProcessId}-{Guid.NewGuid():N}"));
        try
        {
            await server.StartCoreAsync(cancellationToken);
            return server;
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
    }

    private async Task StartCoreAsync(CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(_root);

        // Not cancellable: a Ctrl-C while pg_ctl waits could leave a running server we hold no handle to.
        _postgres = await EmbeddedPostgres.StartAsync(Path.Combine(_root, "pg"), cancellationToken: CancellationToken.None);
        cancellationToken.ThrowIfCancellationRequested();
        PostmasterPid = ReadPostmasterPid(_postgres.DataDirectory);

        _app = FaultlineApplication.Build(new FaultlineServerOptions
        {
            ConnectionString = _postgres.ConnectionString(),
            Urls = ["http://127.0.0.1:0"],
            SecretsKey = Faultline.Storage.Secrets.MasterKey.Generate(),

            // The limiter still runs on every request (its cost is part of the figures) but never rejects.
            RateLimit = new RateLimitOptions { PermitsPerSecond = 1_000_000, Burst = 1_000_000 },
            // Only warnings and errors: per-request log lines would flood the report and measure the console.
            // Text, because only warnings are expected and they are read by a person at the end of a run.
            MinimumLogLevel = LogLevel.Warning,
            LogFormat = "text",
        });
        await _app.Services.GetRequiredService<MigrationRunner>().ApplyAsync(cancellationToken);

        var token = ApiKeyToken.Create();
        _ = await _app.Services.GetRequiredService<OrganizationStore>()
                .BootstrapAsync("Bench", "platform", NewApiKey.From(token, "bench-owner", Role.Owner, null), cancellationToken)
            ?? throw new InvalidOperationException("The fresh benchmark database was already bootstrapped.");
        OwnerKey = token.Value;

        await _app.StartAsync(cancellationToken);
        var address = _app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault()
            ?? throw new InvalidOperationException("The server reported no listening address.");
        BaseAddress = new Uri(address);
    }

    private static int? ReadPostmasterPid(string dataDirectory)
    {
        try
        {
            // The first line of postmaster.pid is the postmaster's process id.
            var first = File.ReadLines(Path.Combine(dataDirectory, "postmaster.pid")).FirstOrDefault();
            return int.TryParse(first, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var pid) ? pid : null;
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.StopAsync(CancellationToken.None);
            await _app.DisposeAsync();
            _app = null;
        }

        if (_postgres is not null)
        {
            // Idle pooled connections would otherwise make the fast shutdown wait on their backends.
            NpgsqlConnection.ClearAllPools();
            await _postgres.StopAsync();
            _postgres = null;
        }

        try
        {
            Directory.Delete(_root, recursive: true);
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            await Console.Error.WriteLineAsync($"Could not delete {_root}: {exception.Message}");
        }
    }
}
