using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace Faultline.Storage.Embedded;

/// <summary>
/// A PostgreSQL cluster owned by this process: created with initdb on first use, started on a free
/// loopback port, stopped with a fast shutdown. Used by <c>faultline up</c> (data kept under .faultline/pg)
/// and by the test fixtures (a throwaway cluster per test run). PostgreSQL refuses to run as root, so
/// when we are root every server binary runs as the <c>postgres</c> user through runuser.
/// </summary>
public sealed class EmbeddedPostgres : IAsyncDisposable
{
    private const string SuperUser = "postgres";
    private readonly ILogger _logger;
    private bool _started;

    private EmbeddedPostgres(string dataDirectory, string binDirectory, ILogger logger)
    {
        DataDirectory = dataDirectory;
        BinDirectory = binDirectory;
        _logger = logger;
    }

    public string DataDirectory { get; }

    public string BinDirectory { get; }

    public int Port { get; private set; }

    /// <summary>Password of the superuser, generated at initdb and kept (mode 0600) beside the data directory.</summary>
    public string Password { get; private set; } = "";

    public string ConnectionString(string database = "postgres") => new NpgsqlConnectionStringBuilder
    {
        Host = "127.0.0.1",
        Port = Port,
        Username = SuperUser,
        Password = Password,
        Database = database,
    }.ConnectionString;

    /// <summary>Creates the cluster if the directory is empty, then starts it. Reuses existing data.</summary>
    public static async Task<EmbeddedPostgres> StartAsync(string dataDirectory, ILogger? logger = null, CancellationToken cancellationToken = default)
    {
        var server = new EmbeddedPostgres(Path.GetFullPath(dataDirectory), FindBinDirectory(), logger ?? NullLogger.Instance);
        await server.InitializeIfNeededAsync(cancellationToken);
        await server.StartServerAsync(cancellationToken);
        return server;
    }

    /// <summary>Finds initdb/pg_ctl: FAULTLINE_PG_BIN, then the newest /usr/lib/postgresql/N/bin, then PATH.</summary>
    public static string FindBinDirectory()
    {
        var configured = Environment.GetEnvironmentVariable("FAULTLINE_PG_BIN");
        if (!string.IsNullOrEmpty(configured))
        {
            return configured;
        }

        const string debianRoot = "/usr/lib/postgresql";
        if (Directory.Exists(debianRoot))
        {
            var newest = Directory.GetDirectories(debianRoot)
                .Select(dir => (dir, version: int.TryParse(Path.GetFileName(dir), out var v) ? v : 0))
                .Where(x => File.Exists(Path.Combine(x.dir, "bin", "initdb")))
                .OrderByDescending(x => x.version)
                .Select(x => Path.Combine(x.dir, "bin"))
                .FirstOrDefault();
            if (newest is not null)
            {
                return newest;
            }
        }

        var fromPath = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':')
            .FirstOrDefault(dir => File.Exists(Path.Combine(dir, "initdb")));
        return fromPath ?? throw new EmbeddedPostgresException(
            "PostgreSQL server binaries (initdb, pg_ctl) were not found. Install PostgreSQL (apt-get install postgresql) " +
            "or set FAULTLINE_PG_BIN, or point FAULTLINE_DB at an existing server.");
    }

    private string PasswordFile => DataDirectory + ".password";

    private static bool IsRoot => Environment.UserName == "root" || Environment.GetEnvironmentVariable("USER") == "root";

    private async Task InitializeIfNeededAsync(CancellationToken cancellationToken)
    {
        if (File.Exists(Path.Combine(DataDirectory, "PG_VERSION")))
        {
            Password = File.Exists(PasswordFile) ? (await File.ReadAllTextAsync(PasswordFile, cancellationToken)).Trim() : "";
            return;
        }

        Directory.CreateDirectory(DataDirectory);
        if (Directory.EnumerateFileSystemEntries(DataDirectory).Any())
        {
            throw new EmbeddedPostgresException($"{DataDirectory} is not empty and holds no PostgreSQL cluster; refusing to initialise over it.");
        }

        Password = Convert.ToHexString(RandomNumberGenerator.GetBytes(24)).ToLowerInvariant();
        await File.WriteAllTextAsync(PasswordFile, Password, cancellationToken);
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(PasswordFile, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }

        // initdb reads the password from a file the server user can read; it is deleted right after.
        var initPasswordFile = Path.Combine(DataDirectory, "..", $".initdb-{Guid.NewGuid():N}");
        await File.WriteAllTextAsync(initPasswordFile, Password, cancellationToken);
        try
        {
            if (IsRoot)
            {
                await HandToPostgresUserAsync(DataDirectory, cancellationToken);
                await HandToPostgresUserAsync(initPasswordFile, cancellationToken);
            }

            await RunServerToolAsync(
                "initdb",
                ["-D", DataDirectory, "-U", SuperUser, "--auth=scram-sha-256", "--pwfile", Path.GetFullPath(initPasswordFile), "--encoding=UTF8", "--locale=C.UTF-8", "--no-instructions"],
                cancellationToken);
        }
        finally
        {
            File.Delete(initPasswordFile);
        }

        _logger.LogInformation("Created PostgreSQL cluster in {DataDirectory}", DataDirectory);
    }

    /// <summary>
    /// Starts a stopped server again on the port it had, so clients holding its connection string reconnect, as
    /// they would after a database outage. Used by the tests that take the database away in the middle of a run.
    /// </summary>
    public Task RestartAsync(CancellationToken cancellationToken = default) =>
        _started ? Task.CompletedTask : StartServerAsync(cancellationToken, Port);

    private async Task StartServerAsync(CancellationToken cancellationToken, int? fixedPort = null)
    {
        // A previous process killed with SIGKILL may have left its server running: stop it so this
        // start owns the server, its port and its lifetime.
        if (File.Exists(Path.Combine(DataDirectory, "postmaster.pid")))
        {
            await RunServerToolAsync("pg_ctl", ["-D", DataDirectory, "-m", "fast", "-w", "stop"], cancellationToken, throwOnFailure: false);
        }

        for (var attempt = 1; ; attempt++)
        {
            Port = fixedPort ?? FreeLoopbackPort();
            var options = $"-p {Port} -c listen_addresses=127.0.0.1 -c unix_socket_directories='' -c max_connections=200 -c fsync=on";
            var (exitCode, output) = await RunServerToolAsync(
                "pg_ctl",
                ["-D", DataDirectory, "-o", options, "-l", Path.Combine(DataDirectory, "server.log"), "-w", "-t", "60", "start"],
                cancellationToken,
                throwOnFailure: false);
            if (exitCode == 0)
            {
                break;
            }

            // Another process may have taken the port between our probe and the server's bind.
            if (attempt >= 3)
            {
                throw new EmbeddedPostgresException($"pg_ctl start failed (exit {exitCode}): {output}\n{ReadServerLogTail()}");
            }
        }

        _started = true;
        _logger.LogInformation("PostgreSQL listening on 127.0.0.1:{Port}", Port);
    }

    public async Task StopAsync()
    {
        if (!_started)
        {
            return;
        }

        _started = false;
        await RunServerToolAsync("pg_ctl", ["-D", DataDirectory, "-m", "fast", "-w", "stop"], CancellationToken.None, throwOnFailure: false);
        _logger.LogInformation("PostgreSQL stopped");
    }

    public ValueTask DisposeAsync() => new(StopAsync());

    private string ReadServerLogTail()
    {
        var log = Path.Combine(DataDirectory, "server.log");
        try
        {
            return File.Exists(log) ? string.Join('\n', File.ReadLines(log).TakeLast(20)) : "";
        }
        catch (UnauthorizedAccessException)
        {
            return "";
        }
    }

    private static int FreeLoopbackPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static async Task HandToPostgresUserAsync(string path, CancellationToken cancellationToken)
    {
        var (exitCode, output) = await RunAsync("chown", ["-R", $"{SuperUser}:", path], cancellationToken);
        if (exitCode != 0)
        {
            throw new EmbeddedPostgresException($"chown of {path} to the postgres user failed: {output}");
        }

        // The server user must be able to reach the directory through every parent.
        var parent = Path.GetDirectoryName(Path.GetFullPath(path));
        var (canReach, _) = await RunAsync("runuser", ["-u", SuperUser, "--", "test", "-x", parent ?? "/"], cancellationToken);
        if (canReach != 0)
        {
            throw new EmbeddedPostgresException(
                $"The postgres user cannot reach {parent} (a parent directory is not searchable by other users). " +
                "Use a data directory under a world-searchable path (--data-dir) or set FAULTLINE_DB.");
        }
    }

    private async Task<(int ExitCode, string Output)> RunServerToolAsync(string tool, string[] arguments, CancellationToken cancellationToken, bool throwOnFailure = true)
    {
        var executable = Path.Combine(BinDirectory, tool);
        var result = IsRoot
            ? await RunAsync("runuser", ["-u", SuperUser, "--", executable, .. arguments], cancellationToken)
            : await RunAsync(executable, arguments, cancellationToken);
        if (throwOnFailure && result.ExitCode != 0)
        {
            throw new EmbeddedPostgresException($"{tool} failed (exit {result.ExitCode}): {result.Output}");
        }

        return result;
    }

    private static async Task<(int ExitCode, string Output)> RunAsync(string fileName, IEnumerable<string> arguments, CancellationToken cancellationToken)
    {
        var startInfo = new ProcessStartInfo(fileName)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = "/",
        };
        foreach (var argument in arguments)
        {
            startInfo.ArgumentList.Add(argument);
        }

        using var process = Process.Start(startInfo) ?? throw new EmbeddedPostgresException($"Could not start {fileName}.");
        var stdout = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var stderr = process.StandardError.ReadToEndAsync(cancellationToken);
        await process.WaitForExitAsync(cancellationToken);
        return (process.ExitCode, ((await stdout) + (await stderr)).Trim());
    }
}
