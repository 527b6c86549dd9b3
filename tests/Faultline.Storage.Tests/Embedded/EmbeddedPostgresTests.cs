using Faultline.Storage.Embedded;
using Npgsql;

namespace Faultline.Storage.Tests.Embedded;

/// <summary>
/// Clusters of their own, beside the shared test cluster. Starting one takes a second or two, so these
/// tests start as few as they can.
/// </summary>
public sealed class EmbeddedPostgresTests : IAsyncLifetime
{
    // A plain directory, not Directory.CreateTempSubdirectory: that one is mode 0700, and when the tests
    // run as root the server runs as the postgres user, which must be able to reach the data directory.
    private readonly string _root = Path.Combine(Path.GetTempPath(), $"faultline-embedded-tests-{Guid.NewGuid():N}");
    private readonly List<EmbeddedPostgres> _started = [];

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private string DataDirectory => Path.Combine(_root, "pg");

    public ValueTask InitializeAsync()
    {
        Directory.CreateDirectory(_root);
        return ValueTask.CompletedTask;
    }

    [Fact]
    public async Task A_restarted_cluster_keeps_its_data_and_its_password()
    {
        var first = await StartAsync();
        Assert.True(File.Exists(Path.Combine(DataDirectory, "PG_VERSION")));
        Assert.False(string.IsNullOrEmpty(first.Password));
        var password = first.Password;
        await using (var connection = await OpenAsync(first))
        {
            await using var create = new NpgsqlCommand("create table survivors (name text); insert into survivors values ('kept')", connection);
            await create.ExecuteNonQueryAsync(Ct);
        }

        await first.StopAsync();
        await Assert.ThrowsAnyAsync<NpgsqlException>(async () => await OpenAsync(first));

        var second = await StartAsync();

        Assert.Equal(password, second.Password);
        Assert.Equal(password, (await File.ReadAllTextAsync(DataDirectory + ".password", Ct)).Trim());
        await using (var connection = await OpenAsync(second))
        {
            await using var read = new NpgsqlCommand("select name from survivors", connection);
            Assert.Equal("kept", await read.ExecuteScalarAsync(Ct));
        }

        await second.StopAsync();
    }

    [Fact]
    public async Task The_password_file_is_readable_by_its_owner_only_and_a_wrong_password_is_refused()
    {
        var server = await StartAsync();

        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(DataDirectory + ".password"));
        }

        var wrong = new NpgsqlConnectionStringBuilder(server.ConnectionString()) { Password = "not-the-password", Pooling = false };
        await using var connection = new NpgsqlConnection(wrong.ConnectionString);
        var exception = await Assert.ThrowsAsync<PostgresException>(() => connection.OpenAsync(Ct));
        Assert.Equal(PostgresErrorCodes.InvalidPassword, exception.SqlState);

        // Stopping twice is harmless: the second stop is a no-op.
        await server.StopAsync();
        await server.StopAsync();
        await server.DisposeAsync();
        await Assert.ThrowsAnyAsync<NpgsqlException>(async () => await OpenAsync(server));
    }

    [Fact]
    public async Task Starting_in_a_non_empty_directory_without_a_cluster_is_refused_and_touches_nothing()
    {
        Directory.CreateDirectory(DataDirectory);
        var precious = Path.Combine(DataDirectory, "precious.txt");
        await File.WriteAllTextAsync(precious, "do not overwrite", Ct);

        var exception = await Assert.ThrowsAsync<EmbeddedPostgresException>(() => EmbeddedPostgres.StartAsync(DataDirectory, cancellationToken: Ct));

        Assert.Contains("not empty", exception.Message, StringComparison.Ordinal);
        Assert.Equal(["precious.txt"], Directory.EnumerateFileSystemEntries(DataDirectory).Select(Path.GetFileName));
        Assert.Equal("do not overwrite", await File.ReadAllTextAsync(precious, Ct));
        Assert.False(File.Exists(DataDirectory + ".password"));
    }

    public async ValueTask DisposeAsync()
    {
        // A test that failed half-way must not leave a server running; stopping a stopped one is a no-op.
        foreach (var server in _started)
        {
            await server.StopAsync();
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

    private async Task<EmbeddedPostgres> StartAsync()
    {
        var server = await EmbeddedPostgres.StartAsync(DataDirectory, cancellationToken: Ct);
        _started.Add(server);
        return server;
    }

    private static async Task<NpgsqlConnection> OpenAsync(EmbeddedPostgres server)
    {
        // No pooling: a pooled connection could outlive the server it was opened against.
        var connectionString = new NpgsqlConnectionStringBuilder(server.ConnectionString()) { Pooling = false, Timeout = 10 }.ConnectionString;
        var connection = new NpgsqlConnection(connectionString);
        try
        {
            await connection.OpenAsync(Ct);
            return connection;
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }
}
