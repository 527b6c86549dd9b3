using System.CommandLine;
using Faultline.Storage.Embedded;
using Faultline.Storage.Secrets;

namespace Faultline.Commands;

/// <summary>
/// <c>faultline up</c>: the whole platform on this machine. Without FAULTLINE_DB it runs its own
/// PostgreSQL under the data directory, reused on the next start and stopped after the server.
/// </summary>
internal static class UpCommand
{
    public static Command Create()
    {
        var host = new Option<string>("--host") { Description = "Address to listen on (FAULTLINE_HOST).", DefaultValueFactory = _ => Environment.GetEnvironmentVariable("FAULTLINE_HOST") ?? "127.0.0.1" };
        var port = new Option<int>("--port") { Description = "Port to listen on; 0 picks a free one (FAULTLINE_PORT).", DefaultValueFactory = _ => ServerSettings.IntFromEnvironment("FAULTLINE_PORT", 8080) };
        var dataDir = new Option<string>("--data-dir") { Description = "Where the embedded database lives (FAULTLINE_DATA_DIR).", DefaultValueFactory = _ => Environment.GetEnvironmentVariable("FAULTLINE_DATA_DIR") ?? ".faultline" };
        var command = new Command("up", "Run the platform on this machine, with an embedded PostgreSQL unless FAULTLINE_DB is set.") { host, port, dataDir };
        command.SetAction((parse, cancellationToken) => RunAsync(parse.GetValue(host)!, parse.GetValue(port), parse.GetValue(dataDir)!, cancellationToken));
        return command;
    }

    private static async Task<int> RunAsync(string host, int port, string dataDir, CancellationToken cancellationToken)
    {
        MasterKey secretsKey;
        try
        {
            secretsKey = SecretsKey(dataDir);
        }
        catch (MasterKeyException exception)
        {
            await Console.Error.WriteLineAsync($"faultline: {exception.Message}");
            return 2;
        }

        var external = Environment.GetEnvironmentVariable("FAULTLINE_DB");
        if (!string.IsNullOrWhiteSpace(external))
        {
            Console.WriteLine("Using the PostgreSQL of FAULTLINE_DB.");
            return await NodeRunner.RunAsync(ServerSettings.From(external, host, port, "text", ServerSettings.StateDirectory(Path.Combine(dataDir, "state")), secretsKey), cancellationToken);
        }

        EmbeddedPostgres database;
        try
        {
            Console.WriteLine($"Starting the embedded PostgreSQL in {Path.GetFullPath(Path.Combine(dataDir, "pg"))} ...");
            database = await EmbeddedPostgres.StartAsync(Path.Combine(dataDir, "pg"), cancellationToken: cancellationToken);
        }
        catch (EmbeddedPostgresException exception)
        {
            await Console.Error.WriteLineAsync($"faultline: {exception.Message}");
            return 2;
        }

        try
        {
            Console.WriteLine($"PostgreSQL is listening on 127.0.0.1:{database.Port}.");
            return await NodeRunner.RunAsync(
                ServerSettings.From(database.ConnectionString("postgres"), host, port, "text", ServerSettings.StateDirectory(Path.Combine(dataDir, "state")), secretsKey),
                cancellationToken);
        }
        finally
        {
            await database.StopAsync();
            Console.WriteLine("Embedded PostgreSQL stopped.");
        }
    }

    /// <summary>
    /// FAULTLINE_SECRETS_KEY(_FILE) when set; otherwise this machine's own key, kept next to the data it protects
    /// (created 0600 on first start and reused), so <c>up</c> needs no setup and never stores secrets in plaintext.
    /// </summary>
    private static MasterKey SecretsKey(string dataDir)
    {
        if (MasterKeySource.FromEnvironment(Environment.GetEnvironmentVariable) is { } configured)
        {
            return configured;
        }

        var path = Path.GetFullPath(Path.Combine(dataDir, MasterKeySource.EmbeddedKeyFileName));
        var existed = File.Exists(path);
        var key = MasterKeySource.LoadOrCreateFile(path);
        Console.WriteLine(existed
            ? $"Secrets are sealed with the key in {path}."
            : $"Created the secrets key {path} (mode 0600); keep it with the data: without it, stored secrets cannot be opened.");
        return key;
    }
}
