using Faultline.Storage.Embedded;
using Npgsql;

namespace Faultline.Bench.Engine;

/// <summary>
/// A throwaway embedded PostgreSQL (the one <c>faultline up</c> and the tests use) in a fresh temp directory,
/// with one database per figure so no figure reads rows another one left. The directory also holds the plugin
/// state (noop markers) of every node. Disposing stops the server and deletes the directory.
/// </summary>
internal sealed class BenchDatabase : IAsyncDisposable
{
    private EmbeddedPostgres? _postgres;

    private BenchDatabase(string root) => Root = root;

    /// <summary>The temp directory everything of this run lives in.</summary>
    public string Root { get; }

    /// <summary>PostgreSQL's main process, to account for the CPU the database spends; null if unknown.</summary>
    public int? PostmasterPid { get; private set; }

    public static async Task<BenchDatabase> StartAsync(CancellationToken cancellationToken)
    {
        var database = new BenchDatabase(Path.Combine(Path.GetTempPath(), $"faultline-bench-engine-{Environment.ProcessId}-{Guid.NewGuid():N}"));
        try
        {
            Directory.CreateDirectory(database.Root);

            // Not cancellable: a Ctrl-C while pg_ctl waits could leave a running server we hold no handle to.
            database._postgres = await EmbeddedPostgres.StartAsync(Path.Combine(database.Root, "pg"), cancellationToken: CancellationToken.None);
            database.PostmasterPid = ReadPostmasterPid(database._postgres.DataDirectory);
            cancellationToken.ThrowIfCancellationRequested();
            return database;
        }
        catch
        {
            await database.DisposeAsync();
            throw;
        }
    }

    /// <summary>Creates an empty database; whoever connects first migrates it (a node does at start).</summary>
    public async Task<string> CreateDatabaseAsync(string name, CancellationToken cancellationToken)
    {
        var postgres = _postgres ?? throw new InvalidOperationException("PostgreSQL is not running.");
        await using var connection = new NpgsqlConnection(postgres.ConnectionString());
        await connection.OpenAsync(cancellationToken);

        // The name is one of ours (a constant per figure), never input: quoting it is enough.
        await using var command = new NpgsqlCommand($"create database \"{name}\"", connection);
        await command.ExecuteNonQueryAsync(cancellationToken);
        return postgres.ConnectionString(name);
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
        if (_postgres is not null)
        {
            // Idle pooled connections would otherwise make the fast shutdown wait on their backends.
            NpgsqlConnection.ClearAllPools();
            await _postgres.StopAsync();
            _postgres = null;
        }

        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            await Console.Error.WriteLineAsync($"Could not delete {Root}: {exception.Message}");
        }
    }
}
