using Faultline.Storage.Embedded;
using Faultline.Storage.Migrations;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using Xunit;

namespace Faultline.Testing;

/// <summary>
/// One throwaway PostgreSQL cluster per test run (the same embedded server `faultline up` uses), with a
/// migrated template database, so each test class gets a fresh database of its own in milliseconds.
/// Registered as an xunit assembly fixture.
/// </summary>
public sealed class PostgresServer : IAsyncLifetime
{
    private const string TemplateDatabase = "faultline_template";
    private readonly string _root = Path.Combine(Path.GetTempPath(), $"faultline-tests-{Environment.ProcessId}-{Guid.NewGuid():N}");
    private EmbeddedPostgres? _server;
    private int _databases;

    public EmbeddedPostgres Server => _server ?? throw new InvalidOperationException("PostgreSQL has not started.");

    public async ValueTask InitializeAsync()
    {
        _server = await EmbeddedPostgres.StartAsync(Path.Combine(_root, "pg"));
        await ExecuteAsync($"create database {TemplateDatabase}");
        await using var template = NpgsqlDataSource.Create(Server.ConnectionString(TemplateDatabase));
        await new MigrationRunner(template, NullLogger<MigrationRunner>.Instance).ApplyAsync(CancellationToken.None);
    }

    /// <summary>A new, migrated database; its name says which test asked for it.</summary>
    public async Task<string> CreateDatabaseAsync(string owner, bool migrated = true)
    {
        var name = $"t{Interlocked.Increment(ref _databases)}_{new string(owner.ToLowerInvariant().Where(char.IsAsciiLetterOrDigit).Take(40).ToArray())}";
        await ExecuteAsync(migrated ? $"create database {name} template {TemplateDatabase}" : $"create database {name}");
        return Server.ConnectionString(name);
    }

    public async Task ExecuteAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(Server.ConnectionString());
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    public async ValueTask DisposeAsync()
    {
        if (_server is not null)
        {
            NpgsqlConnection.ClearAllPools();
            await _server.StopAsync();
        }

        try
        {
            Directory.Delete(_root, recursive: true);
        }
        catch (IOException)
        {
            // A leftover temp directory is harmless; never fail a run over it.
        }
    }
}
