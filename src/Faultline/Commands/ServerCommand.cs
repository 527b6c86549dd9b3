using System.CommandLine;
using Faultline.Storage.Secrets;

namespace Faultline.Commands;

/// <summary><c>faultline server</c>: one stateless control-plane node over the PostgreSQL named by FAULTLINE_DB.</summary>
internal static class ServerCommand
{
    public static Command Create()
    {
        var host = new Option<string>("--host") { Description = "Address to listen on (FAULTLINE_HOST).", DefaultValueFactory = _ => Environment.GetEnvironmentVariable("FAULTLINE_HOST") ?? "127.0.0.1" };
        var port = new Option<int>("--port") { Description = "Port to listen on (FAULTLINE_PORT).", DefaultValueFactory = _ => ServerSettings.IntFromEnvironment("FAULTLINE_PORT", 8080) };
        var db = new Option<string?>("--db") { Description = "PostgreSQL connection string (FAULTLINE_DB).", DefaultValueFactory = _ => Environment.GetEnvironmentVariable("FAULTLINE_DB") };
        var command = new Command("server", "Run a control-plane node over an external PostgreSQL.") { host, port, db };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var connectionString = parse.GetValue(db);
            if (string.IsNullOrWhiteSpace(connectionString))
            {
                await Console.Error.WriteLineAsync("faultline server: set FAULTLINE_DB (or --db) to a PostgreSQL connection string, or use 'faultline up'.");
                return 2;
            }

            // Nodes share one database, so they must share one key: none is ever made up here.
            MasterKey? secretsKey;
            try
            {
                secretsKey = MasterKeySource.FromEnvironment(Environment.GetEnvironmentVariable);
            }
            catch (MasterKeyException exception)
            {
                await Console.Error.WriteLineAsync($"faultline server: {exception.Message}");
                return 2;
            }

            if (secretsKey is null)
            {
                await Console.Error.WriteLineAsync($"faultline server: {MasterKeySource.MissingKeyMessage}");
                return 2;
            }

            return await NodeRunner.RunAsync(
                ServerSettings.From(connectionString, parse.GetValue(host)!, parse.GetValue(port), "json", ServerSettings.StateDirectory(), secretsKey), cancellationToken);
        });
        return command;
    }
}
