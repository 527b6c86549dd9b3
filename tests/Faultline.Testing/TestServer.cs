using System.Net.Http.Headers;
using Faultline.Api.Hosting;
using Faultline.Domain.Tenancy;
using Faultline.Storage.Tenancy;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Faultline.Testing;

/// <summary>
/// A real control-plane node (Kestrel on 127.0.0.1, a real database) composed exactly as in production,
/// with the first organization bootstrapped and its owner key at hand.
/// </summary>
public sealed class TestServer : IAsyncDisposable
{
    private TestServer(WebApplication app, Uri baseAddress, BootstrapResult bootstrap, string ownerKey, string connectionString)
    {
        App = app;
        BaseAddress = baseAddress;
        Bootstrap = bootstrap;
        OwnerKey = ownerKey;
        ConnectionString = connectionString;
    }

    public WebApplication App { get; }

    public Uri BaseAddress { get; }

    public BootstrapResult Bootstrap { get; }

    /// <summary>Owner key of the operator organization created at bootstrap.</summary>
    public string OwnerKey { get; }

    public string ConnectionString { get; }

    public IServiceProvider Services => App.Services;

    /// <summary>Engine settings for tests: a short lease and a fast poll, so takeovers and schedules happen in seconds.</summary>
    public static Engine.Runs.EngineOptions FastEngine { get; } = new()
    {
        LeaseTtl = TimeSpan.FromSeconds(3),
        PollInterval = TimeSpan.FromMilliseconds(100),
        RecoveryWindow = TimeSpan.FromSeconds(3),
        RecoveryProbeInterval = TimeSpan.FromMilliseconds(200),
    };

    /// <summary>Faultline's own plugins as the build stages them, with a fresh state directory; timeouts as in production unless given.</summary>
    public static Engine.Plugins.PluginHostOptions StagedPlugins(Engine.Plugins.PluginTimeouts? timeouts = null) => new()
    {
        SearchPaths = [Path.Combine(RepositoryRoot.Path, "artifacts", "plugins")],
        StateRoot = Path.Combine(Path.GetTempPath(), $"faultline-test-state-{Guid.NewGuid():N}"),
        Timeouts = timeouts ?? new Engine.Plugins.PluginTimeouts(),
    };

    public static async Task<TestServer> StartAsync(
        PostgresServer postgres, string owner, RateLimitOptions? rateLimit = null, long? maxBodyBytes = null, Engine.Runs.EngineOptions? engine = null,
        Engine.Plugins.PluginHostOptions? plugins = null, CapturedLogs? logs = null, Engine.Agents.AgentOptions? agents = null)
    {
        var connectionString = await postgres.CreateDatabaseAsync(owner);
        var app = Build(connectionString, rateLimit, maxBodyBytes, engine, plugins, logs, agents);
        var token = ApiKeyToken.Create();
        var bootstrap = await app.Services.GetRequiredService<OrganizationStore>()
            .BootstrapAsync("Operator", "platform", NewApiKey.From(token, "owner", Role.Owner, null), CancellationToken.None)
            ?? throw new InvalidOperationException("The test database was already bootstrapped.");
        return await StartAsync(app, bootstrap, token.Value, connectionString);
    }

    /// <summary>Another node over the database of <paramref name="first"/>: nodes are stateless and share one database.</summary>
    public static Task<TestServer> StartSecondNodeAsync(TestServer first, Engine.Agents.AgentOptions? agents = null)
    {
        ArgumentNullException.ThrowIfNull(first);
        var app = Build(first.ConnectionString, null, null, null, null, null, agents);
        return StartAsync(app, first.Bootstrap, first.OwnerKey, first.ConnectionString);
    }

    private static WebApplication Build(
        string connectionString, RateLimitOptions? rateLimit, long? maxBodyBytes, Engine.Runs.EngineOptions? engine,
        Engine.Plugins.PluginHostOptions? plugins, CapturedLogs? logs, Engine.Agents.AgentOptions? agents)
    {
        // Tests other than the rate-limit ones must never be throttled by each other's bursts.
        var limits = rateLimit ?? new RateLimitOptions { PermitsPerSecond = 10_000, Burst = 10_000 };

        var options = new FaultlineServerOptions
        {
            ConnectionString = connectionString,
            Urls = ["http://127.0.0.1:0"],
            RateLimit = limits,
            MaxRequestBodyBytes = maxBodyBytes ?? 1024 * 1024,
            // Captured logs are read by the test, so everything down to Debug is written to them.
            MinimumLogLevel = logs is null ? LogLevel.Warning : LogLevel.Debug,
            Plugins = plugins ?? StagedPlugins(),
            Engine = engine ?? FastEngine,
            Agents = agents ?? new Engine.Agents.AgentOptions(),
            HeartbeatInterval = TimeSpan.FromMilliseconds(500),
            SecretsKey = Storage.Secrets.MasterKey.Generate(),
        };
        var app = FaultlineApplication.Build(options);
        if (logs is not null)
        {
            app.Services.GetRequiredService<ILoggerFactory>().AddProvider(logs);
        }

        return app;
    }

    private static async Task<TestServer> StartAsync(WebApplication app, BootstrapResult bootstrap, string ownerKey, string connectionString)
    {
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new TestServer(app, new Uri(address), bootstrap, ownerKey, connectionString);
    }

    /// <summary>Reads one value straight from the database, to assert what was (or was not) stored.</summary>
    public async Task<T> ScalarAsync<T>(string sql)
    {
        await using var connection = new Npgsql.NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        await using var command = new Npgsql.NpgsqlCommand(sql, connection);
        return (T)Convert.ChangeType((await command.ExecuteScalarAsync())!, typeof(T), System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>A client that authenticates with <paramref name="apiKey"/> (or none).</summary>
    public HttpClient Client(string? apiKey = null)
    {
        // No proxy: a proxy from the environment must never carry loopback test traffic off the machine.
        var client = new HttpClient(new SocketsHttpHandler { UseProxy = false }) { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(30) };
        if (apiKey is not null)
        {
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", apiKey);
        }

        return client;
    }

    public async ValueTask DisposeAsync()
    {
        await App.StopAsync();
        var stateRoot = Services.GetRequiredService<Engine.Plugins.PluginHostOptions>().StateRoot;
        await App.DisposeAsync();
        try
        {
            Directory.Delete(stateRoot, recursive: true);
        }
        catch (DirectoryNotFoundException)
        {
            // Nothing was ever written there.
        }
    }
}
